/// TFRecord framing, what TensorBoard's event files are made of: each record is its length
/// (UInt64, little-endian), the length's masked CRC-32C, the bytes, and their masked CRC-32C.
enum TFRecord {
    static func frame(_ data: [UInt8]) -> [UInt8] {
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian, Array.init)
        var out = length
        out += withUnsafeBytes(of: CRC32C.masked(length).littleEndian, Array.init)
        out += data
        out += withUnsafeBytes(of: CRC32C.masked(data).littleEndian, Array.init)
        return out
    }
}
