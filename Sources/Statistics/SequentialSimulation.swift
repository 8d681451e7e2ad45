import Foundation

/// Simulated studies of a `SequentialComparison`, to measure what it promises: two groups of
/// normal figures (sd `sdA`, `sdB`, true difference `difference`), `start` seeds each, then
/// `step` more a round while the comparison goes on, up to `max`. Used by the test suite (a few
/// thousand studies) and `runner-bench sequential` (many more, scripts/sim-sequential.sh).
public struct SequentialSimulation: Sendable {
    public var start: Int, step: Int, max: Int
    public var sdA: Double, sdB: Double, difference: Double
    public var design: SequentialComparison

    /// The looks a study of `start`, `start + step`, ... up to `max` seeds has.
    public static func looks(start: Int, step: Int, max: Int) -> Int { (max - start + step - 1) / step + 1 }

    public init(start: Int, step: Int = 1, max: Int, sdA: Double = 1, sdB: Double = 1, difference: Double,
                width: Double, alpha: Double = 0.05) {
        self.start = start
        self.step = step
        self.max = max
        self.sdA = sdA
        self.sdB = sdB
        self.difference = difference
        design = SequentialComparison(looks: SequentialSimulation.looks(start: start, step: step, max: max), alpha: alpha, width: width)
    }

    public struct Outcome: Sendable {
        public var studies: Int
        /// Studies that declared a difference.
        public var declared: Int
        /// Seeds a group used, summed over studies.
        public var seeds: Int
        public var rate: Double { Double(declared) / Double(studies) }
        public var meanSeeds: Double { Double(seeds) / Double(studies) }
        /// The 95% Wilson interval of the rate.
        public var rateInterval: ClosedRange<Double> {
            let n = Double(studies), p = rate, z = 1.959963984540054
            let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
            let half = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot() / (1 + z * z / n)
            return (centre - half)...(centre + half)
        }
    }

    /// Standard normal draws from a seed (SplitMix64 and Box–Muller): the same figures every
    /// time, for simulations. (Statistics depends on nothing, so it keeps this small copy of
    /// the project's generator, `Vocabulary.SplitMix64`.)
    public struct NormalStream: Sendable {
        private var state: UInt64
        public init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        public mutating func normal() -> Double {
            let u1 = (Double(next() >> 11) + 1) * 0x1p-53, u2 = Double(next() >> 11) * 0x1p-53
            return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        }
    }

    /// `studies` studies from `seed` (`NormalStream`: the same figures every time).
    public func run(studies: Int, seed: UInt64) -> Outcome {
        var stream = NormalStream(seed: seed)
        func normal() -> Double { stream.normal() }
        var declared = 0, seeds = 0
        for _ in 0..<studies {
            var a: [Double] = [], b: [Double] = []
            var n = start, look = 0
            while true {
                while a.count < n { a.append(normal() * sdA); b.append(difference + normal() * sdB) }
                let decision = design.decide(look: look, Sample(a), Sample(b)) ?? .goOn
                if decision == .difference { declared += 1 }
                if decision != .goOn || n >= max { break }
                n = Swift.min(n + step, max)
                look += 1
            }
            seeds += n
        }
        return Outcome(studies: studies, declared: declared, seeds: seeds)
    }
}
