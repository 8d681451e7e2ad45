import Testing
@testable import Export

/// TFRecord framing (issue 26): CRC-32C's published check value, TFRecord's mask, and a
/// frame's layout.
@Suite struct TFRecordTests {
    @Test func crc32cIsCastagnolis() {
        // The check value of CRC-32C (RFC 3720, appendix B.4: "123456789").
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        // RFC 3720's 32 bytes of zeros and of 0xFF.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test func aFrameIsLengthItsCRCDataAndItsCRC() {
        let data = Array("event".utf8)
        let frame = TFRecord.frame(data)
        #expect(frame.count == 8 + 4 + data.count + 4)
        #expect(frame.prefix(8) == [5, 0, 0, 0, 0, 0, 0, 0])
        let crc = CRC32C.checksum(data)
        let masked = ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
        #expect(Array(frame.suffix(4)) == [UInt8(masked & 0xFF), UInt8(masked >> 8 & 0xFF), UInt8(masked >> 16 & 0xFF), UInt8(masked >> 24)])
        #expect(Array(frame[12..<17]) == data)
    }
}
