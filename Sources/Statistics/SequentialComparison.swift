import Foundation

/// Adding seeds until a comparison is decided, without the error rate looking at the data after
/// every round would otherwise inflate: a group-sequential design with α spending (Lan and
/// DeMets, Biometrika 70, 1983). A study looks at most `looks` times (its rounds of seeds); look
/// k (0-based) may declare a difference only at level α_k = α(t_k) − α(t_{k−1}), t_k = (k+1) /
/// looks, with O'Brien and Fleming's spending function α(t) = 2 − 2Φ(z_{1−α/2} / √t): little
/// is spent on the first small looks, most at the end. A look's Welch test is exact at its own
/// level whatever came before, so by the union bound the chance of declaring a difference where
/// there is none is at most Σ α_k = α, with no assumption about how the looks correlate (a
/// conservative bound: the design spends less than it may).
///
/// Each look decides one of: a difference (the level-α_k Welch interval excludes 0), settled
/// as smaller than `width` (that interval is narrower than `width`, and contains 0), or go on.
public struct SequentialComparison: Sendable, Equatable {
    public enum Decision: String, Sendable, Equatable, Codable {
        case difference
        case narrow
        case goOn = "go on"
    }

    public var looks: Int
    public var alpha: Double
    /// The width under which an interval containing 0 settles the comparison.
    public var width: Double

    public init(looks: Int, alpha: Double = 0.05, width: Double) {
        precondition(looks >= 1 && alpha > 0 && alpha < 1 && width >= 0)
        self.looks = looks
        self.alpha = alpha
        self.width = width
    }

    /// α spent by information fraction t (O'Brien–Fleming type).
    public func spent(_ t: Double) -> Double {
        guard t > 0 else { return 0 }
        return min(alpha, 2 - 2 * SequentialComparison.normalCDF(SequentialComparison.normalQuantile(1 - alpha / 2) / t.squareRoot()))
    }

    /// The level of look k.
    public func level(look k: Int) -> Double {
        precondition(k >= 0 && k < looks)
        return spent(Double(k + 1) / Double(looks)) - spent(Double(k) / Double(looks))
    }

    /// Look k's decision on samples a and b (nil when Welch's test cannot be made: fewer than
    /// two values a side, or no spread). The same as reading the level-α_k interval (`interval`),
    /// without its quantile: it excludes 0 exactly when p < α_k, and is narrower than `width`
    /// exactly when P(|T| < width / 2SE) > 1 − α_k.
    public func decide(look k: Int, _ a: Sample, _ b: Sample) -> Decision? {
        let level = self.level(look: k)
        guard level > 0, let test = WelchTest(a, b) else { return nil }
        if test.p < level { return .difference }
        let t = StudentT(degreesOfFreedom: test.degreesOfFreedom)
        let half = width / (2 * test.standardError)
        return 1 - t.twoSidedP(half) > 1 - level ? .narrow : .goOn
    }

    /// The level-α_k interval of b − a at look k.
    public func interval(look k: Int, _ a: Sample, _ b: Sample) -> ClosedRange<Double>? {
        let level = self.level(look: k)
        guard level > 0 else { return nil }
        return WelchTest(a, b, level: 1 - level)?.interval
    }

    /// Φ, the standard normal CDF.
    static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// Φ⁻¹ by bisection on Φ (to full precision).
    static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1)
        var low = -40.0, high = 40.0
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle == low || middle == high { break }
            if normalCDF(middle) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }
}
