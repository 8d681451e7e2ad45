import Crypto

/// The project's short names for contents: the first 12 hex digits (6 bytes) of SHA-256. Run
/// ids, plan digests and archived specs' names are all this, spelled here once.
public enum ShortDigest {
    /// 12 lowercase hex digits of SHA-256 over `bytes`.
    public static func of(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes).prefix(6)) }

    /// All 64 lowercase hex digits of SHA-256 over `bytes` (metrics checksums, data files).
    public static func sha256(_ bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    /// Lowercase hex of a digest's bytes.
    public static func hex<Bytes: Sequence>(_ digest: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// 12 hex digits of SHA-256 over `text`'s UTF-8 bytes.
    public static func of(_ text: String) -> String { of(Array(text.utf8)) }
}
