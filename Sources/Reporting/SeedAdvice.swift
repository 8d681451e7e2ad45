import Statistics

/// How many seeds a comparison needs (`runner seeds`): from each pair's observed spread, the
/// runs a group needs for Welch's test to detect a difference of `detect` with the given power
/// (`SeedCount`), against the runs it has.
extension Comparison.Pair {
    public struct SeedAdvice: Sendable {
        /// Runs a group needs; nil when no spread is known yet (fewer than two done runs a side)
        /// or more than the limit would be needed.
        public var needed: Int?
        /// The fewer of the two groups' done runs.
        public var have: Int
        /// Whether the comparison is underpowered: it has fewer runs than it needs.
        public var underpowered: Bool { needed.map { have < $0 } ?? true }
        public var sentence: String
    }

    public func seedAdvice(detect: Double, power: Double = 0.8, alpha: Double = 0.05) -> SeedAdvice {
        let at = context.isEmpty ? "" : " at " + context.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        let unit = figure.isPercentage ? " points" : ""
        let head = "\(parameter) \(b) vs \(a)\(at) (\(figure.rawValue)): "
        let have = min(sampleA.n, sampleB.n)
        let goal = "to detect " + String(format: "%.4g", detect) + "\(unit) with \(Int((power * 100).rounded()))% power at " + String(format: "%g", alpha * 100) + "%"
        guard let sa = sampleA.standardDeviation, let sb = sampleB.standardDeviation, sa.isFinite, sb.isFinite else {
            return SeedAdvice(needed: nil, have: have, sentence: head + "no spread yet (needs two or more done runs a side, "
                + "has \(sampleA.n) and \(sampleB.n)); run more seeds, then ask again")
        }
        let digits = figure.isPercentage ? "%.3f" : "%.5f"
        let spread = "sd " + String(format: digits, sb) + " (\(b), \(sampleB.n) seeds) and " + String(format: digits, sa)
            + " (\(a), \(sampleA.n) seeds)"
        guard sa + sb > 0 else {
            return SeedAdvice(needed: 2, have: have, sentence: head + "\(spread): no spread at all, 2 seeds a group suffice")
        }
        let count = SeedCount(sdA: sa, sdB: sb, detect: detect, power: power, alpha: alpha)
        guard let needed = count.perGroup else {
            return SeedAdvice(needed: nil, have: have, sentence: head + "\(spread); \(goal) needs more than 100,000 seeds a group")
        }
        let verdict = have >= needed ? "has \(have): enough" : "has \(have): underpowered, \(needed - have) more a group"
        return SeedAdvice(needed: needed, have: have, sentence: head + "\(spread); \(goal) needs \(needed) seeds a group; \(verdict)")
    }
}
