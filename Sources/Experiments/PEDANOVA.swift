import Foundation

/// Hyperparameter importance by PED-ANOVA (Watanabe, Bansal and Hutter, "PED-ANOVA: Efficiently
/// Quantifying Hyperparameter Importance in Arbitrary Subspaces", IJCAI 2023), as Optuna 5's
/// default importance evaluator (`PedAnovaImportanceEvaluator()` under
/// `get_param_importances`) computes it: for each parameter, how far the distribution of its
/// values among the best 10% of trials is from its distribution among all trials (the Pearson
/// divergence of two Parzen estimators on a 50-point grid), normalized to sum to 1.
///
/// A parameter that the best trials share (a narrow band of learning rates) scores high; one
/// whose values among the best look like its values overall scores near 0. Pure: the same
/// trials give the same figures, in any order they are listed.
public enum PEDANOVA {
    /// The share of trials that counts as the best (Optuna's `target_quantile`).
    public static let targetQuantile = 0.1
    /// Which trials are the best `targetQuantile` of `values` (finite): those whose loss is at or
    /// below the ⌈qn⌉-th smallest, ties all kept, as Optuna's quantile filter picks them.
    public static func best(_ values: [Double], minimize: Bool) -> [Bool] {
        guard !values.isEmpty else { return [] }
        let losses = values.map { minimize ? $0 : -$0 }
        let cutoff = losses.sorted()[Int((targetQuantile * Double(losses.count)).rounded(.up)) - 1]
        return losses.map { $0 <= cutoff }
    }

    /// Grid points a real dimension is binned into (Optuna's `_n_steps`).
    static let gridSteps = 50
    /// The prior kernel's weight (Optuna's `_prior_weight`).
    static let priorWeight = 1.0

    /// The importance of each dimension, in order, summing to 1 (all equal when every trial is
    /// alike or there are fewer than two), for `points` (external values, categories as
    /// indexes) with objective `values`. Trials whose value is not finite are left out, as
    /// Optuna leaves them out.
    public static func importances(dimensions: [TPE.Dimension], points: [[Double]], values: [Double],
                                   minimize: Bool) -> [Double] {
        let kept = zip(points, values).filter { $0.1.isFinite }
        var raw = [Double](repeating: 0, count: dimensions.count)
        if kept.count > 1 {
            let best = PEDANOVA.best(kept.map(\.1), minimize: minimize)
            let top = kept.indices.filter { best[$0] }.map { kept[$0].0 }
            let all = kept.map(\.0)
            let share = Double(top.count) / Double(all.count)
            for (d, dimension) in dimensions.enumerated() {
                if case .categorical(let count) = dimension, count < 2 { continue }
                let topDensity = density(dimension, top.map { $0[d] })
                let allDensity = density(dimension, all.map { $0[d] })
                var divergence = 0.0
                for (p, q) in zip(topDensity, allDensity) {
                    let ratio = (p + 1e-12) / (q + 1e-12) - 1
                    divergence += (q + 1e-12) * ratio * ratio
                }
                raw[d] = divergence * share * share
            }
        }
        let total = raw.reduce(0, +)
        guard total > 0 else { return raw.map { _ in 1 / Double(max(1, raw.count)) } }
        return raw.map { $0 / total }
    }

    /// How many trials fall on each grid point of a dimension: reals on `gridSteps` points
    /// (log scale where the dimension has one), integers on their own values or, on a log scale,
    /// about one point per doubling, categories one point each.
    static func gridCounts(_ dimension: TPE.Dimension, _ values: [Double]) -> [Int] {
        let steps: Int, low: Double, high: Double, logScale: Bool
        switch dimension {
        case .categorical(let count):
            var counts = [Int](repeating: 0, count: count)
            for v in values { counts[min(max(Int(v), 0), count - 1)] += 1 }
            return counts
        case .real(let a, let b, let l):
            (steps, low, high, logScale) = (gridSteps, a, b, l)
        case .integer(let a, let b, let l):
            if l {
                steps = min(Int((log(Double(b - a + 1)) / log(2)).rounded(.up)) + 1, gridSteps)
            } else {
                steps = min(b - a + 1, gridSteps)
            }
            (low, high, logScale) = (Double(a), Double(b), l)
        }
        let (lo, hi) = logScale ? (log(low), log(high)) : (low, high)
        let stepSize = (hi - lo) / Double(steps - 1)
        var counts = [Int](repeating: 0, count: steps)
        for v in values {
            // Midpoint ties go to the lower point, as Optuna rounds.
            let x = logScale ? log(v) : v
            let index = ((x - lo) / stepSize - 0.5).rounded(.up)
            counts[Int(min(max(index, 0), Double(steps - 1)))] += 1
        }
        return counts
    }

    /// The Parzen estimator's probability of each grid point, from the trials' values: one
    /// kernel per occupied point weighted by its count, plus a broad prior kernel. Numeric grids
    /// use discretized normals truncated to the grid, their width by Scott's rule (at least
    /// 0.5/1.64 of a step); categories a kernel that puts most of its mass on its own.
    static func density(_ dimension: TPE.Dimension, _ values: [Double]) -> [Double] {
        let counts = gridCounts(dimension, values)
        let size = counts.count
        let occupied = counts.indices.filter { counts[$0] > 0 }
        let weights = occupied.map { Double(counts[$0]) }
        var mixture = weights + [priorWeight]
        if occupied.isEmpty { mixture = [1] }
        let mixtureTotal = mixture.reduce(0, +)
        mixture = mixture.map { $0 / mixtureTotal }
        if case .categorical = dimension {
            let kernels = Double(occupied.count + 1)
            let base = occupied.isEmpty ? 1 / Double(size) : priorWeight / kernels
            let observedRow = Double(size) * base + 1, priorRow = Double(size) * base
            return (0..<size).map { x in
                var p = mixture.last! * base / priorRow
                for (k, point) in occupied.enumerated() {
                    p += mixture[k] * (base + (point == x ? 1 : 0)) / observedRow
                }
                return p
            }
        }
        // Scott's rule on the counts: weighted sd and interquartile range of the occupied points.
        let total = weights.reduce(0, +)
        var sigma = 0.0
        if !occupied.isEmpty {
            let mean = zip(occupied, weights).reduce(0) { $0 + Double($1.0) * $1.1 } / total
            let variance = zip(occupied, weights).reduce(0) { $0 + (Double($1.0) - mean) * (Double($1.0) - mean) * $1.1 }
                / max(1, total - 1)
            var cumulative: [Double] = []
            for w in weights { cumulative.append((cumulative.last ?? 0) + w) }
            let q1Level = (total / 4).rounded(.down), q3Level = (total * 3 / 4).rounded(.down)
            let q1 = cumulative.firstIndex { $0 >= q1Level } ?? cumulative.count
            let q3 = cumulative.firstIndex { $0 > q3Level } ?? cumulative.count
            let iqr = Double(occupied[min(occupied.count - 1, q3)] - occupied[min(occupied.count - 1, q1)])
            sigma = 1.059 * min(iqr / 1.34, variance.squareRoot()) * pow(total, -0.2)
        }
        let kernels = occupied.map { (mu: Double($0), sigma: max(sigma, 0.5 / 1.64)) }
            + [(mu: Double(size - 1) / 2, sigma: Double(size))]
        let (low, high) = (-0.5, Double(size) - 0.5)
        return (0..<size).map { x in
            var p = 0.0
            for (k, kernel) in kernels.enumerated() {
                let mass = ParzenEstimator.logMass((Double(x) - 0.5 - kernel.mu) / kernel.sigma, (Double(x) + 0.5 - kernel.mu) / kernel.sigma)
                    - ParzenEstimator.logMass((low - kernel.mu) / kernel.sigma, (high - kernel.mu) / kernel.sigma)
                p += mixture[k] * exp(mass)
            }
            return p
        }
    }
}
