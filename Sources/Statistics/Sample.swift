import Foundation

/// A sample of one figure (one per seed of a group): its size, mean, spread and the 95%
/// Student-t confidence interval of its mean.
public struct Sample: Sendable, Equatable {
    public var values: [Double]

    public init(_ values: [Double]) { self.values = values }

    public var n: Int { values.count }

    public var mean: Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(n) }

    /// The standard deviation with n - 1 in the denominator; nil below two values.
    public var standardDeviation: Double? {
        guard n >= 2, let mean else { return nil }
        return (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
    }

    /// The standard error of the mean; nil below two values.
    public var standardError: Double? { standardDeviation.map { $0 / Double(n).squareRoot() } }

    /// mean ± t(1 - (1 - level)/2, n - 1) · s/√n; nil below two values.
    public func confidenceInterval(level: Double = 0.95) -> ClosedRange<Double>? {
        guard let mean, let se = standardError else { return nil }
        let half = StudentT(degreesOfFreedom: Double(n - 1)).quantile(1 - (1 - level) / 2) * se
        return (mean - half)...(mean + half)
    }
}
