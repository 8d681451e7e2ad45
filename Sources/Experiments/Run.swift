/// One planned training run: a resolved config with a stable id and a readable name.
public struct Run: Sendable, Hashable {
    /// 0-based position in the plan (the `--index` of `runner SPEC --index I`).
    public var index: Int
    /// 12 hex digits of SHA-256 over the canonical config: equal configs, equal ids.
    public var id: String
    /// The parameters that vary across the plan, e.g. `activation=relu,dropout=0.5`.
    public var name: String
    public var config: RunConfig

    public init(index: Int, id: String, name: String, config: RunConfig) {
        self.index = index
        self.id = id
        self.name = name
        self.config = config
    }

    /// The parameters that identify `config`: every parameter of the first release, and each
    /// later one only when set away from the value it had before it existed.
    public static func identity(of config: RunConfig) -> [Parameter] {
        Parameter.all.filter { $0.identifies(config) }
    }

    /// The canonical text of a config that run ids hash: its identifying parameters, one
    /// `key=value` a line, in `Parameter.all` order, values in their canonical spelling.
    public static func canonicalText(of config: RunConfig) -> String {
        "runner-config-v1\n" + identity(of: config).map { "\($0.key)=\($0.read(config))\n" }.joined()
    }

    /// The stable id of a config.
    public static func id(of config: RunConfig) -> String { ShortDigest.of(canonicalText(of: config)) }

    /// The config as a JSON object of its identifying parameters (what the id hashes), keys in
    /// `Parameter.all` order; a later parameter at its old value is left out, as from the id.
    public static func json(of config: RunConfig) -> String {
        "{" + identity(of: config).map { "\(JSON.quote($0.key)): \($0.read(config).json)" }
            .joined(separator: ", ") + "}"
    }
}
