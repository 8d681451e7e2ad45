/// The engine's state as bytes, versioned, so a checkpoint stores it without knowing what it
/// holds (`Checkpoint` in Training adds the epochs and metrics around it).
///
/// Layout (little-endian), version 2: parameter count n (UInt64), parameters and velocity
/// (2n Float32), shuffle and dropout stream states (8 UInt64), optimizer steps (UInt64), the
/// second moment's length m (0 or n) and its m Float32, the running statistics' length s and
/// its s Float32; version 3 adds the input dropout stream's length d (0 or 4) and its d UInt64.
/// Version 1 (before Adam and batch norm) ends after the streams.
extension Trainer.State {
    /// The version `encode` writes.
    public static let currentVersion = 3

    /// Appends the state's bytes (version `currentVersion`) to `out`.
    public func encode(into out: inout [UInt8]) {
        func put(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        func put(_ floats: [Float]) { for f in floats { withUnsafeBytes(of: f.bitPattern.littleEndian) { out += $0 } } }
        put(UInt64(parameters.count))
        put(parameters)
        put(velocity)
        for w in shuffleStream + dropoutStream { put(w) }
        put(steps)
        put(UInt64(secondMoment.count))
        put(secondMoment)
        put(UInt64(runningStatistics.count))
        put(runningStatistics)
        put(UInt64(inputDropoutStream.count))
        for w in inputDropoutStream { put(w) }
    }

    /// Reads a state written by `encode` at `version` (1, 2 or 3); nil when the bytes are not one.
    public static func decode(_ reader: inout ByteReader, version: Int) -> Trainer.State? {
        guard (1...3).contains(version), let n64 = reader.word(), n64 < 1 << 28 else { return nil }
        let n = Int(n64)
        guard let values = reader.floats(2 * n) else { return nil }
        var streams: [UInt64] = []
        for _ in 0..<8 { guard let w = reader.word() else { return nil }; streams.append(w) }
        var steps: UInt64 = 0, secondMoment: [Float] = [], runningStatistics: [Float] = []
        if version >= 2 {
            guard let s = reader.word(), let m = reader.word(), m == 0 || m == n64, let moment = reader.floats(Int(m)),
                  let r = reader.word(), r < 1 << 28, let statistics = reader.floats(Int(r)) else { return nil }
            (steps, secondMoment, runningStatistics) = (s, moment, statistics)
        }
        var inputDropoutStream: [UInt64] = []
        if version >= 3 {
            guard let d = reader.word(), d == 0 || d == 4 else { return nil }
            for _ in 0..<d { guard let w = reader.word() else { return nil }; inputDropoutStream.append(w) }
        }
        return Trainer.State(parameters: Array(values[0..<n]), velocity: Array(values[n...]),
                             shuffleStream: Array(streams[0..<4]), dropoutStream: Array(streams[4...]),
                             secondMoment: secondMoment, steps: steps, runningStatistics: runningStatistics,
                             inputDropoutStream: inputDropoutStream)
    }
}

/// Reads little-endian words, floats and byte runs from a buffer, front to back; every read
/// returns nil (and moves nothing) when the bytes run out.
public struct ByteReader {
    public let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
        guard n >= 0, n <= bytes.count - offset else { return nil }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    public mutating func word() -> UInt64? {
        take(8).map { s in s.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
    }

    public mutating func floats(_ count: Int) -> [Float]? {
        guard count >= 0, count <= (bytes.count - offset) / 4, let raw = take(4 * count) else { return nil }
        var values = [Float](repeating: 0, count: count)
        raw.withUnsafeBytes { raw in
            for i in 0..<count {
                values[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
        }
        return values
    }
}
