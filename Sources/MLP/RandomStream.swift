#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// xoshiro256**: a fast, explicit, seedable generator. Each purpose (init, shuffle, dropout)
/// gets its own stream, so drawing more from one never shifts the others.
public struct RandomStream: RandomNumberGenerator, Sendable {
    /// What a stream is for; part of its seed.
    public enum Purpose: UInt64, Sendable {
        case initialization = 1, shuffle = 2, dropout = 3, inputDropout = 4
    }

    private var s0, s1, s2, s3: UInt64

    /// A stream for `purpose` of the run seeded with `seed`.
    public init(seed: UInt64, purpose: Purpose) {
        var mixer = SplitMix64(seed: seed ^ (purpose.rawValue &* 0xD1B5_4A32_D192_ED03))
        s0 = mixer.next(); s1 = mixer.next(); s2 = mixer.next(); s3 = mixer.next()
    }

    /// The generator's four state words, to save in a checkpoint.
    public var state: [UInt64] { [s0, s1, s2, s3] }

    /// A generator resumed from `state` (as read back from a checkpoint).
    public init?(state: [UInt64]) {
        guard state.count == 4, state.contains(where: { $0 != 0 }) else { return nil }
        (s0, s1, s2, s3) = (state[0], state[1], state[2], state[3])
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A Float uniform in [0, 1) with 24 random bits (every value a multiple of 2^-24).
    @inline(__always)
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A standard normal draw (Box–Muller in Double from two 53-bit uniforms, the cosine
    /// branch only, so each draw takes exactly two words of the stream).
    public mutating func nextGaussian() -> Double {
        let u1 = (Double(next() >> 11) + 1) * 0x1p-53   // (0, 1]: log is finite
        let u2 = Double(next() >> 11) * 0x1p-53
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
    @inline(__always)
    public mutating func nextInt(below bound: Int) -> Int {
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }
}
