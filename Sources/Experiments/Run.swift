import Crypto

/// One planned training run: a resolved config with a stable id and a readable name.
public struct Run: Sendable, Hashable {
    /// 0-based position in the plan (the `--index` of `runner SPEC --index I`).
    public var index: Int
    /// 12 hex digits of SHA-256 over the canonical config: equal configs, equal ids.
    public var id: String
    /// The parameters that vary across the plan, e.g. `activation=relu,dropout=0.5`.
    public var name: String
    public var config: RunConfig

    /// The canonical text of a config that run ids hash: every parameter, one `key=value` a
    /// line, in `Parameter.all` order, values in their canonical spelling.
    public static func canonicalText(of config: RunConfig) -> String {
        "runner-config-v1\n" + Parameter.all.map { "\($0.key)=\($0.read(config))\n" }.joined()
    }

    /// The stable id of a config.
    public static func id(of config: RunConfig) -> String {
        let digest = SHA256.hash(data: Array(canonicalText(of: config).utf8))
        return digest.prefix(6).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The config as a JSON object, keys in `Parameter.all` order.
    public static func json(of config: RunConfig) -> String {
        "{" + Parameter.all.map { "\(JSON.quote($0.key)): \($0.read(config).json)" }
            .joined(separator: ", ") + "}"
    }
}
