import Foundation

/// A sample of one figure (one per seed of a group): its size, mean, spread and the 95%
/// Student-t confidence interval of its mean.
public struct Sample: Sendable, Equatable {
    public var values: [Double]

    public init(_ values: [Double]) { self.values = values }

    public var n: Int { values.count }

    /// The mean; NaN or infinite when a value is (a diverged run's figures are data too). Huge
    /// finite values (1e308) whose sum overflows are averaged as Σ(x/n) instead.
    public var mean: Double? {
        guard !values.isEmpty else { return nil }
        let sum = values.reduce(0, +)
        if sum.isFinite || !values.allSatisfy(\.isFinite) { return sum / Double(n) }
        return values.reduce(0) { $0 + $1 / Double(n) }
    }

    /// The standard deviation with n - 1 in the denominator; nil below two values.
    public var standardDeviation: Double? {
        guard n >= 2, let mean else { return nil }
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
    }

    /// The standard error of the mean; nil below two values.
    public var standardError: Double? { standardDeviation.map { $0 / Double(n).squareRoot() } }

    /// mean ± t(1 - (1 - level)/2, n - 1) · s/√n; nil below two values, and nil when a value
    /// is not finite or the interval overflows (no interval means anything then).
    public func confidenceInterval(level: Double = 0.95) -> ClosedRange<Double>? {
        guard n >= 2 else { return nil }
        return confidenceInterval(t: StudentT(degreesOfFreedom: Double(n - 1)).quantile(1 - (1 - level) / 2))
    }

    /// mean ± t · s/√n with the quantile `t` already known (a curve of a million epochs over
    /// the same n seeds computes it once, not a million times).
    public func confidenceInterval(t: Double) -> ClosedRange<Double>? {
        guard let mean, let se = standardError, mean.isFinite, se.isFinite else { return nil }
        let half = t * se
        let low = mean - half, high = mean + half
        guard low.isFinite, high.isFinite else { return nil }
        return low...high
    }
}
