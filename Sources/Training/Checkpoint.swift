internal import CZlib
import MLP
import Results

/// The state of a run after its last finished epoch, so an interrupted run resumes exactly
/// where it stopped: the trainer's state and the metrics rows so far.
///
/// Binary layout (little-endian), version 2: magic "RUNRCKP2", epochs done (UInt64), parameter
/// count n (UInt64), parameters and velocity (2n Float32), shuffle and dropout stream states
/// (8 UInt64); then the optimizer's and the layers' state: optimizer steps (UInt64), the
/// second moment's length m (0 or n) and its m Float32, the running statistics' length s and
/// its s Float32; metrics CSV length and bytes, then a CRC-32 (UInt64) of everything before it.
/// Version 1 ("RUNRCKP1", written before Adam and batch norm) is the same without the middle
/// part, and is still read: its runs resume as they would have.
public struct Checkpoint: Sendable, Equatable {
    public var rows: [EpochMetrics]
    public var state: Trainer.State

    public init(rows: [EpochMetrics], state: Trainer.State) {
        self.rows = rows
        self.state = state
    }

    static let magic = Array("RUNRCKP2".utf8)
    static let magicVersion1 = Array("RUNRCKP1".utf8)

    /// The encoded bytes.
    public var bytes: [UInt8] {
        var out = Checkpoint.magic
        func put(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        put(UInt64(rows.count))
        put(UInt64(state.parameters.count))
        for f in state.parameters + state.velocity { withUnsafeBytes(of: f.bitPattern.littleEndian) { out += $0 } }
        for w in state.shuffleStream + state.dropoutStream { put(w) }
        put(state.steps)
        for extra in [state.secondMoment, state.runningStatistics] {
            put(UInt64(extra.count))
            for f in extra { withUnsafeBytes(of: f.bitPattern.littleEndian) { out += $0 } }
        }
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
        func floats(_ count: Int) -> [Float]? {
            guard let raw = take(4 * count) else { return nil }
            var values = [Float](repeating: 0, count: count)
            raw.withUnsafeBytes { raw in
                for i in 0..<count { values[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            }
            return values
        }
        guard bytes.count >= 16, let magic = take(8).map(Array.init),
              magic == Checkpoint.magic || magic == Checkpoint.magicVersion1,
              let epochs = word(), let n64 = word(), n64 < 1 << 28 else { return nil }
        let n = Int(n64)
        guard let values = floats(2 * n) else { return nil }
        var streams: [UInt64] = []
        for _ in 0..<8 { guard let w = word() else { return nil }; streams.append(w) }
        var steps: UInt64 = 0, secondMoment: [Float] = [], runningStatistics: [Float] = []
        if magic == Checkpoint.magic {
            guard let s = word(), let m = word(), m == 0 || m == n64, let moment = floats(Int(m)),
                  let r = word(), r < 1 << 28, let statistics = floats(Int(r)) else { return nil }
            (steps, secondMoment, runningStatistics) = (s, moment, statistics)
        }
        guard let length = word(), length < 1 << 30, let csv = take(Int(length)) else { return nil }
        let body = at
        guard let crc = word(), at == bytes.count, crc == UInt64(Checkpoint.crc(bytes[0..<body])),
              let rows = EpochMetrics.parse(csv: String(decoding: csv, as: UTF8.self)),
              rows.count == Int(epochs) else { return nil }
        self.rows = rows
        state = Trainer.State(parameters: Array(values[0..<n]), velocity: Array(values[n...]),
                              shuffleStream: Array(streams[0..<4]), dropoutStream: Array(streams[4...]),
                              secondMoment: secondMoment, steps: steps, runningStatistics: runningStatistics)
    }

    static func crc<C: Collection<UInt8>>(_ bytes: C) -> UInt32 {
        Array(bytes).withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
    }
}
