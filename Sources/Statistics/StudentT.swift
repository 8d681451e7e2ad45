import Foundation

/// Student's t distribution with `degreesOfFreedom` (any real > 0, as Welch's test needs).
public struct StudentT: Sendable {
    public var degreesOfFreedom: Double

    public init(degreesOfFreedom: Double) {
        self.degreesOfFreedom = degreesOfFreedom
    }

    /// P(T <= t).
    public func cdf(_ t: Double) -> Double {
        guard t.isFinite else { return t > 0 ? 1 : 0 }
        let v = degreesOfFreedom
        let tail = IncompleteBeta.regularized(x: v / (v + t * t), a: v / 2, b: 0.5) / 2
        return t > 0 ? 1 - tail : tail
    }

    /// P(|T| >= |t|), the two-sided p-value of a statistic t.
    public func twoSidedP(_ t: Double) -> Double {
        guard t.isFinite else { return 0 }
        let v = degreesOfFreedom
        return IncompleteBeta.regularized(x: v / (v + t * t), a: v / 2, b: 0.5)
    }

    /// The t with P(T <= t) = p, for p in (0, 1): bisection on the CDF to full precision.
    public func quantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "a quantile needs p in (0, 1)")
        if p == 0.5 { return 0 }
        if p < 0.5 { return -quantile(1 - p) }
        var low = 0.0, high = 1.0
        while cdf(high) < p { low = high; high *= 2 }
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if middle == low || middle == high { break }
            if cdf(middle) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }
}
