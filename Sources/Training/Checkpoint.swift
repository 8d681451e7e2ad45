internal import CZlib
import MLP
import Results

/// The state of a run after its last finished epoch, so an interrupted run resumes exactly
/// where it stopped: the trainer's state and the metrics rows so far.
///
/// Binary layout (little-endian): magic "RUNRCKP1", epochs done (UInt64), parameter count n
/// (UInt64), parameters and velocity (2n Float32), shuffle and dropout stream states (8 UInt64),
/// metrics CSV length and bytes, then a CRC-32 (UInt64) of everything before it.
public struct Checkpoint: Sendable, Equatable {
    public var rows: [EpochMetrics]
    public var state: Trainer.State

    public init(rows: [EpochMetrics], state: Trainer.State) {
        self.rows = rows
        self.state = state
    }

    static let magic = Array("RUNRCKP1".utf8)

    /// The encoded bytes.
    public var bytes: [UInt8] {
        var out = Checkpoint.magic
        func put(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        put(UInt64(rows.count))
        put(UInt64(state.parameters.count))
        for f in state.parameters + state.velocity { withUnsafeBytes(of: f.bitPattern.littleEndian) { out += $0 } }
        for w in state.shuffleStream + state.dropoutStream { put(w) }
        let csv = Array(EpochMetrics.csv(rows).utf8)
        put(UInt64(csv.count))
        out += csv
        put(UInt64(Checkpoint.crc(out)))
        return out
    }

    /// Decodes a checkpoint; nil when the bytes are not a whole, intact checkpoint.
    public init?(bytes: [UInt8]) {
        var at = 0
        func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, at + n <= bytes.count else { return nil }
            defer { at += n }
            return bytes[at..<(at + n)]
        }
        func word() -> UInt64? {
            take(8).map { s in s.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        }
        guard bytes.count >= 16, take(8).map(Array.init) == Checkpoint.magic,
              let epochs = word(), let n64 = word(), n64 < 1 << 28 else { return nil }
        let n = Int(n64)
        guard let floats = take(8 * n) else { return nil }
        var values = [Float](repeating: 0, count: 2 * n)
        floats.withUnsafeBytes { raw in
            for i in 0..<(2 * n) { values[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        }
        var streams: [UInt64] = []
        for _ in 0..<8 { guard let w = word() else { return nil }; streams.append(w) }
        guard let length = word(), length < 1 << 30, let csv = take(Int(length)) else { return nil }
        let body = at
        guard let crc = word(), at == bytes.count, crc == UInt64(Checkpoint.crc(bytes[0..<body])),
              let rows = EpochMetrics.parse(csv: String(decoding: csv, as: UTF8.self)),
              rows.count == Int(epochs) else { return nil }
        self.rows = rows
        state = Trainer.State(parameters: Array(values[0..<n]), velocity: Array(values[n...]),
                              shuffleStream: Array(streams[0..<4]), dropoutStream: Array(streams[4...]))
    }

    static func crc<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        Array(bytes).withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
    }
}
