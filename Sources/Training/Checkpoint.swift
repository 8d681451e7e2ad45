internal import CSystemZlib
import MLP
import Results

/// The state of a run after its last finished epoch, so an interrupted run resumes exactly
/// where it stopped: the trainer's state and the metrics rows so far.
///
/// Binary layout (little-endian): magic "RUNRCKP" and the engine state's version digit
/// ("RUNRCKP2" today; "RUNRCKP1" files, written before Adam and batch norm, still read), epochs
/// done (UInt64), the engine's state as it encodes itself (`Trainer.State.encode`), metrics
/// CSV length and bytes, then a CRC-32 (UInt64) of everything before it.
public struct Checkpoint: Sendable, Equatable {
    public var rows: [EpochMetrics]
    public var state: Trainer.State

    public init(rows: [EpochMetrics], state: Trainer.State) {
        self.rows = rows
        self.state = state
    }

    static let magicPrefix = Array("RUNRCKP".utf8)

    /// The encoded bytes.
    public var bytes: [UInt8] {
        var out = Checkpoint.magicPrefix + Array(String(Trainer.State.currentVersion).utf8)
        func put(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        put(UInt64(rows.count))
        state.encode(into: &out)
        let csv = Array(EpochMetrics.csv(rows).utf8)
        put(UInt64(csv.count))
        out += csv
        put(UInt64(Checkpoint.crc(out)))
        return out
    }

    /// Decodes a checkpoint; nil when the bytes are not a whole, intact checkpoint.
    public init?(bytes: [UInt8]) {
        var reader = ByteReader(bytes)
        guard let magic = reader.take(8).map(Array.init), magic.prefix(7).elementsEqual(Checkpoint.magicPrefix),
              let version = Int(String(decoding: magic.suffix(1), as: UTF8.self)),
              let epochs = reader.word(),
              let state = Trainer.State.decode(&reader, version: version),
              let length = reader.word(), length < 1 << 30, let csv = reader.take(Int(length)) else { return nil }
        let body = reader.offset
        guard let crc = reader.word(), reader.offset == bytes.count, crc == UInt64(Checkpoint.crc(bytes[0..<body])),
              let rows = EpochMetrics.parse(csv: String(decoding: csv, as: UTF8.self)),
              rows.count == Int(epochs) else { return nil }
        self.rows = rows
        self.state = state
    }

    static func crc<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        Array(bytes).withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
    }
}
