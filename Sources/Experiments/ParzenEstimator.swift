import Foundation
import Vocabulary

/// A mixture of product kernels over a search space, one kernel per observed point and one
/// prior kernel (the whole range), as Optuna 5's `_ParzenEstimator` builds it (its defaults:
/// prior weight 1, the "magic clip" of the bandwidths, endpoints not considered). TPE fits two:
/// l(x) to the better trials and g(x) to the rest.
///
/// Numbers live in an internal space: reals as they are (or their logarithm on a log scale),
/// integers likewise with their range widened by half a step each side, categories as their
/// index. A numerical kernel is a Gaussian truncated to the range, its bandwidth the larger gap
/// to its sorted neighbours (the range's ends count as neighbours), clipped to [range /
/// min(100, 1 + kernels), range]; a categorical kernel puts weight 1 on its category and
/// prior/kernels on every category, normalised. An integer's kernel is the Gaussian's mass over
/// the integer's half-step interval.
struct ParzenEstimator {
    typealias Dimension = TPE.Dimension

    let dimensions: [Dimension]
    /// Kernel weights, summing to 1 (the prior's last).
    let weights: [Double]
    /// Per dimension, per kernel: (mu, sigma) for numerical dimensions, empty for categorical.
    let mus: [[Double]], sigmas: [[Double]]
    /// Per categorical dimension, per kernel: the category probabilities.
    let categories: [[[Double]]]

    /// - Parameters:
    ///   - points: the observations, in the space's own values (categories as indexes).
    ///   - weights: each observation's weight before the prior is added (TPE's ramp).
    init(points: [[Double]], weights observationWeights: [Double], dimensions: [Dimension], priorWeight: Double = 1) {
        self.dimensions = dimensions
        var w = points.isEmpty ? [1.0] : observationWeights + [priorWeight]
        let total = w.reduce(0, +)
        w = w.map { $0 / total }
        weights = w
        let kernels = points.count + 1
        var mus: [[Double]] = [], sigmas: [[Double]] = [], categories: [[[Double]]] = []
        for (d, dimension) in dimensions.enumerated() {
            switch dimension {
            case .categorical(let count):
                var rows: [[Double]] = points.map { point in
                    var row = [Double](repeating: priorWeight / Double(kernels), count: count)
                    row[Int(point[d])] += 1
                    let sum = row.reduce(0, +)
                    return row.map { $0 / sum }
                }
                rows.append([Double](repeating: 1 / Double(count), count: count))
                categories.append(rows)
                mus.append([]); sigmas.append([])
            default:
                let (low, high) = dimension.internalRange
                let observed = points.map { dimension.internalValue($0[d]) }
                var s = ParzenEstimator.bandwidths(observed, low: low, high: high)
                let minimum = (high - low) / min(100, 1 + Double(kernels))
                s = s.map { min(max($0, minimum), high - low) }
                mus.append(observed + [0.5 * (low + high)])
                sigmas.append(s + [high - low])
                categories.append([])
            }
        }
        self.mus = mus
        self.sigmas = sigmas
        self.categories = categories
    }

    /// Each point's bandwidth: the larger gap to its neighbours in sorted order (the range's
    /// ends are the outer neighbours), except that the first and last use their inner gap
    /// when there are at least two points (Optuna's `consider_endpoints=False`).
    static func bandwidths(_ values: [Double], low: Double, high: Double) -> [Double] {
        guard !values.isEmpty else { return [] }
        let order = values.indices.sorted { (values[$0], $0) < (values[$1], $1) }
        let sorted = [low] + order.map { values[$0] } + [high]
        var gaps: [Double] = []
        for i in 1..<(sorted.count - 1) {
            let left: Double = sorted[i] - sorted[i - 1], right: Double = sorted[i + 1] - sorted[i]
            gaps.append(max(left, right))
        }
        if sorted.count >= 4 {
            gaps[0] = sorted[2] - sorted[1]
            gaps[gaps.count - 1] = sorted[sorted.count - 2] - sorted[sorted.count - 3]
        }
        var result = [Double](repeating: 0, count: values.count)
        for (rank, index) in order.enumerated() { result[index] = gaps[rank] }
        return result
    }

    /// `count` draws: a kernel by weight, then each dimension from that kernel.
    func sample(_ count: Int, rng: inout SplitMix64) -> [[Double]] {
        (0..<count).map { _ in
            let k = ParzenEstimator.pick(weights, u: rng.nextUnitDouble())
            return dimensions.indices.map { d in
                switch dimensions[d] {
                case .categorical:
                    return Double(ParzenEstimator.pick(categories[d][k], u: rng.nextUnitDouble()))
                case let dimension:
                    let (low, high) = dimension.internalRange
                    let x = ParzenEstimator.truncatedNormal(mu: mus[d][k], sigma: sigmas[d][k], low: low, high: high, rng: &rng)
                    return dimension.externalValue(x)
                }
            }
        }
    }

    /// log of the mixture's density (a probability for categories and integers) at `point`.
    func logDensity(_ point: [Double]) -> Double {
        var terms = weights.map { log($0) }
        for d in dimensions.indices {
            switch dimensions[d] {
            case .categorical:
                let c = Int(point[d])
                for k in terms.indices { terms[k] += log(categories[d][k][c]) }
            case .real:
                let (low, high) = dimensions[d].internalRange
                let x = dimensions[d].internalValue(point[d])
                for k in terms.indices {
                    let mu = mus[d][k], sigma = sigmas[d][k], z = (x - mu) / sigma
                    terms[k] += -0.5 * z * z - log(sigma) - 0.5 * log(2 * Double.pi)
                        - ParzenEstimator.logMass((low - mu) / sigma, (high - mu) / sigma)
                }
            case .integer(_, _, let logScale):
                let (low, high) = dimensions[d].internalRange
                let left = logScale ? log(point[d] - 0.5) : point[d] - 0.5
                let right = logScale ? log(point[d] + 0.5) : point[d] + 0.5
                for k in terms.indices {
                    let mu = mus[d][k], sigma = sigmas[d][k]
                    terms[k] += ParzenEstimator.logMass((left - mu) / sigma, (right - mu) / sigma)
                        - ParzenEstimator.logMass((low - mu) / sigma, (high - mu) / sigma)
                }
            }
        }
        let top = terms.max()!
        guard top.isFinite else { return top }
        return top + log(terms.reduce(0) { $0 + exp($1 - top) })
    }

    /// The index a uniform draw `u` falls on in cumulative `probabilities`.
    static func pick(_ probabilities: [Double], u: Double) -> Int {
        var cumulative = 0.0
        for (i, p) in probabilities.enumerated() {
            cumulative += p
            if u < cumulative { return i }
        }
        return probabilities.count - 1
    }

    /// log(Φ(b) − Φ(a)) for a < b, from the tail on the side where it is accurate.
    static func logMass(_ a: Double, _ b: Double) -> Double {
        let s = 1 / 2.0.squareRoot()
        let mass: Double
        if a > 0 {
            mass = 0.5 * (erfc(a * s) - erfc(b * s))
        } else if b < 0 {
            mass = 0.5 * (erfc(-b * s) - erfc(-a * s))
        } else {
            mass = 1 - 0.5 * erfc(-a * s) - 0.5 * erfc(b * s)
        }
        return log(max(mass, Double.leastNormalMagnitude))
    }

    /// A normal draw (Box–Muller) kept only inside [low, high]: the kernels' centres lie in the
    /// range and their widths are at most the range, so at least a third of draws land inside.
    static func truncatedNormal(mu: Double, sigma: Double, low: Double, high: Double, rng: inout SplitMix64) -> Double {
        for _ in 0..<1000 {
            let u1 = 1 - rng.nextUnitDouble(), u2 = rng.nextUnitDouble()
            let x = mu + sigma * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            if x >= low && x <= high { return x }
        }
        return min(max(mu, low), high)
    }
}

extension TPE.Dimension {
    /// The range in the internal space: a log scale's logarithms, an integer's half step more
    /// each side.
    var internalRange: (low: Double, high: Double) {
        switch self {
        case .real(let low, let high, let logScale):
            logScale ? (log(low), log(high)) : (low, high)
        case .integer(let low, let high, let logScale):
            logScale ? (log(Double(low) - 0.5), log(Double(high) + 0.5)) : (Double(low) - 0.5, Double(high) + 0.5)
        case .categorical(let count):
            (0, Double(count - 1))
        }
    }

    /// A value in the internal space.
    func internalValue(_ x: Double) -> Double {
        switch self {
        case .real(_, _, true), .integer(_, _, true): log(x)
        default: x
        }
    }

    /// An internal value back in the space: a log scale exponentiated, an integer rounded and
    /// clamped to its range.
    func externalValue(_ x: Double) -> Double {
        switch self {
        case .real(let low, let high, let logScale):
            min(max(logScale ? exp(x) : x, low), high)
        case .integer(let low, let high, let logScale):
            min(max((logScale ? exp(x) : x).rounded(), Double(low)), Double(high))
        case .categorical:
            x
        }
    }
}
