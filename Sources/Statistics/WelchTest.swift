import Foundation

/// Welch's t-test of the difference of two means (unequal variances), with the
/// Welch–Satterthwaite degrees of freedom: the difference `b − a`, its confidence interval
/// and the two-sided p-value of "no difference".
public struct WelchTest: Sendable, Equatable {
    /// mean(b) − mean(a).
    public var difference: Double
    public var standardError: Double
    public var degreesOfFreedom: Double
    public var t: Double
    /// Two-sided p-value.
    public var p: Double
    /// The 95% (or `level`) interval of the difference.
    public var interval: ClosedRange<Double>

    /// - Returns: nil unless both samples have at least two values and some spread, and every
    ///   figure of the test is finite (a NaN or an overflow in a sample has no test to give).
    public init?(_ a: Sample, _ b: Sample, level: Double = 0.95) {
        guard let ma = a.mean, let mb = b.mean, let sa = a.standardDeviation, let sb = b.standardDeviation,
              [ma, mb, sa, sb].allSatisfy(\.isFinite) else { return nil }
        let va = sa * sa / Double(a.n), vb = sb * sb / Double(b.n)
        guard va + vb > 0, (va + vb).isFinite, (mb - ma).isFinite else { return nil }
        difference = mb - ma
        standardError = (va + vb).squareRoot()
        degreesOfFreedom = (va + vb) * (va + vb) / (va * va / Double(a.n - 1) + vb * vb / Double(b.n - 1))
        t = difference / standardError
        let distribution = StudentT(degreesOfFreedom: degreesOfFreedom)
        p = distribution.twoSidedP(t)
        guard degreesOfFreedom.isFinite, degreesOfFreedom > 0 else { return nil }
        let half = distribution.quantile(1 - (1 - level) / 2) * standardError
        guard (difference - half).isFinite, (difference + half).isFinite else { return nil }
        interval = (difference - half)...(difference + half)
    }
}
