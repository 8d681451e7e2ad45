import Foundation
import Vocabulary

/// The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio and Kégl, "Algorithms for
/// Hyper-Parameter Optimization", NeurIPS 2011) as Optuna 5's `TPESampler` runs it with its
/// defaults for one objective: multivariate (one product kernel per trial over all
/// parameters), 10 random start-up trials, 24 candidates, γ(n) = min(⌈0.1 n⌉, 25) trials in the
/// "good" group, weights ramping up over all but the newest 25 trials, prior weight 1, and the
/// "constant liar": trials proposed but not finished count with the bad group, so one batch's
/// proposals spread out instead of piling on one point.
///
/// A proposal is a pure function of the finished trials, the pending ones and its own seeded
/// stream: the same trials give the same proposal on any machine, in any process, after any
/// interruption (no wall clock, no order of arrival, no shared generator).
public struct TPE: Sendable {
    /// One parameter's space.
    public enum Dimension: Sendable, Equatable {
        case real(low: Double, high: Double, log: Bool)
        case integer(low: Int, high: Int, log: Bool)
        /// An index into `count` choices.
        case categorical(count: Int)
    }

    /// A trial the next proposal learns from.
    public struct Trial: Sendable, Equatable {
        public enum Outcome: Sendable, Equatable {
            /// Finished with the metric's value.
            case complete(Double)
            /// Stopped by pruning after `epoch`, with the value it had there.
            case pruned(epoch: Int, value: Double)
            /// Proposed, not finished (the constant liar counts it as bad).
            case pending
            /// Failed or diverged: no value; left out, as Optuna leaves failed trials out.
            case failed
        }
        /// Its values, one per dimension (categories as indexes).
        public var point: [Double]
        public var outcome: Outcome
        public init(point: [Double], outcome: Outcome) { self.point = point; self.outcome = outcome }
    }

    public var dimensions: [Dimension]
    /// Whether lower values are better.
    public var minimize: Bool
    /// Finished trials before TPE takes over from uniform draws.
    public var startup = 10
    /// Draws from l(x) among which the best l/g is proposed.
    public var candidates = 24

    public init(dimensions: [Dimension], minimize: Bool, startup: Int = 10, candidates: Int = 24) {
        self.dimensions = dimensions
        self.minimize = minimize
        self.startup = startup
        self.candidates = candidates
    }

    /// γ(n): how many of n finished trials form the good group.
    static func goodCount(_ n: Int) -> Int { min(Int((0.1 * Double(n)).rounded(.up)), 25) }

    /// The weights of n trials in trial order: 1 for each while n < 25, else a ramp from 1/n
    /// towards 1 over the oldest n − 25 and 1 for the newest 25.
    static func weights(_ n: Int) -> [Double] {
        guard n >= 25 else { return [Double](repeating: 1, count: n) }
        let m = n - 25
        let ramp = (0..<m).map { i in m == 1 ? 1 / Double(n) : 1 / Double(n) + (1 - 1 / Double(n)) * Double(i) / Double(m - 1) }
        return ramp + [Double](repeating: 1, count: 25)
    }

    /// The next point to try, given every trial so far (in the order they were proposed).
    /// Uniform draws until `startup` trials have finished; then TPE.
    public func propose(after trials: [Trial], rng: inout SplitMix64) -> [Double] {
        let finished = trials.filter {
            switch $0.outcome { case .complete, .pruned: true; default: false }
        }
        guard finished.count >= startup else { return uniformPoint(rng: &rng) }
        let (good, bad) = split(trials, good: TPE.goodCount(finished.count))
        let l = ParzenEstimator(points: good.map(\.point), weights: TPE.weights(good.count), dimensions: dimensions)
        let g = ParzenEstimator(points: bad.map(\.point), weights: TPE.weights(bad.count), dimensions: dimensions)
        var best: [Double] = [], bestScore = -Double.infinity
        for candidate in l.sample(candidates, rng: &rng) {
            let score = l.logDensity(candidate) - g.logDensity(candidate)
            if best.isEmpty || score > bestScore { best = candidate; bestScore = score }
        }
        return best
    }

    /// A point drawn uniformly (on each dimension's scale), as the start-up trials are.
    public func uniformPoint(rng: inout SplitMix64) -> [Double] {
        dimensions.map { dimension in
            let u = rng.nextUnitDouble()
            switch dimension {
            case .real(let low, let high, let logScale):
                return logScale ? min(max(low * exp(u * log(high / low)), low), high) : min(low + u * (high - low), high)
            case .integer(let low, let high, let logScale):
                if logScale {
                    return min(floor(Double(low) * exp(u * log((Double(high) + 1) / Double(low)))), Double(high))
                }
                return min(Double(low) + floor(u * Double(high - low + 1)), Double(high))
            case .categorical(let count):
                return min(floor(u * Double(count)), Double(count - 1))
            }
        }
    }

    /// The good group (the best `good` complete trials, then pruned ones by epoch reached and
    /// value) and the rest (pending trials among them), each in trial order.
    func split(_ trials: [Trial], good: Int) -> (good: [Trial], bad: [Trial]) {
        let sign = minimize ? 1.0 : -1.0
        var complete: [(Int, Double)] = [], pruned: [(Int, Int, Double)] = [], badIndexes: [Int] = []
        for (i, trial) in trials.enumerated() {
            switch trial.outcome {
            case .complete(let v): complete.append((i, sign * v))
            case .pruned(let epoch, let v): pruned.append((i, epoch, sign * v))
            case .pending: badIndexes.append(i)
            case .failed: break
            }
        }
        complete.sort { ($0.1, $0.0) < ($1.1, $1.0) }
        pruned.sort { (-$0.1, $0.2, $0.0) < (-$1.1, $1.2, $1.0) }
        let fromComplete = min(good, complete.count)
        let fromPruned = min(good - fromComplete, pruned.count)
        let goodIndexes = Set(complete.prefix(fromComplete).map(\.0) + pruned.prefix(fromPruned).map(\.0))
        badIndexes += complete.dropFirst(fromComplete).map(\.0) + pruned.dropFirst(fromPruned).map(\.0)
        return (goodIndexes.sorted().map { trials[$0] }, badIndexes.sorted().map { trials[$0] })
    }
}
