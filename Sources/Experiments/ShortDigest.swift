import Crypto

/// The project's short names for contents: the first 12 hex digits (6 bytes) of SHA-256. Run
/// ids, plan digests and archived specs' names are all this, spelled here once.
public enum ShortDigest {
    /// 12 lowercase hex digits of SHA-256 over `bytes`.
    public static func of(_ bytes: [UInt8]) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in SHA256.hash(data: bytes).prefix(6) {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// 12 hex digits of SHA-256 over `text`'s UTF-8 bytes.
    public static func of(_ text: String) -> String { of(Array(text.utf8)) }
}
