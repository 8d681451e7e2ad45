/// SplitMix64 (Steele, Lea and Flood 2014): expands one 64-bit seed into well-mixed words. The
/// project's one small generator: it seeds the engine's streams (`RandomStream`), orders the
/// fixed validation split (`ValidationSplit`) and draws a sweep's sampled values
/// (`Distribution`), each from seeds of its own.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in [0, 1) with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }
}
