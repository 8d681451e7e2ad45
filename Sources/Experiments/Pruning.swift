import Foundation
import SpecYAML

/// The spec's `prune:` section: stop a sweep's hopeless runs at rung boundaries, all decisions
/// synchronous so the outcome is the same for any `--jobs` and after any interruption.
///
///     prune: {method: successive_halving, metric: val_accuracy, goal: max, min_epochs: 2, reduction: 3}
///
/// Rungs are at `min_epochs`, `min_epochs·reduction`, `min_epochs·reduction²`, ... epochs, the
/// last at the runs' `epochs`. Successive halving trains every run to the first rung, keeps
/// the best ⌈n / reduction⌉ by the metric at that epoch, trains those to the next rung, and so
/// on. `median` (the median stopping rule, synchronous) has rungs every `min_epochs` epochs and
/// keeps the runs whose metric there is at least as good as the median of the runs still
/// training. `hyperband` splits the runs into brackets (`brackets`), each a successive halving
/// that starts at its own epoch, so that some runs are judged early and others only late. Not
/// part of run ids: it decides how far each run trains.
public struct Pruning: Sendable, Equatable {
    public enum Method: String, Sendable, CaseIterable { case successiveHalving = "successive_halving", hyperband, median }

    public var method: Method
    /// A metrics.csv column: val_accuracy, val_loss, test_accuracy, ...
    public var metric: String
    /// True when higher is better.
    public var maximize: Bool
    public var minEpochs: Int
    public var reduction: Int

    public init(method: Method, metric: String, maximize: Bool, minEpochs: Int, reduction: Int) {
        self.method = method
        self.metric = metric
        self.maximize = maximize
        self.minEpochs = minEpochs
        self.reduction = reduction
    }

    /// The epochs at which decisions are taken for runs of `epochs` epochs, the last being
    /// `epochs` itself (where nothing is decided).
    public func rungs(epochs: Int) -> [Int] {
        var rungs: [Int] = []
        var e = minEpochs
        while e < epochs {
            rungs.append(e)
            e = method == .median ? e + minEpochs : e * reduction   // hyperband: per bracket (`brackets`)
        }
        return rungs + [epochs]
    }

    /// Hyperband's brackets for `runs` runs of `epochs` epochs (Li et al. 2018, synchronous):
    /// s_max = ⌊log_reduction(epochs / min_epochs)⌋; bracket s (s_max down to 0) starts its
    /// runs at min_epochs·reduction^(s_max − s) epochs and gets a share of the runs in
    /// proportion to reduction^s / (s + 1), as Hyperband sizes its brackets (largest
    /// remainders, ties to the larger s); runs are dealt to brackets in plan order.
    /// - Returns: per bracket, its successive-halving rule and how many runs it takes.
    public func brackets(epochs: Int, runs: Int) -> [(rule: Pruning, runs: Int)] {
        var sMax = 0
        while minEpochs * Int(pow(Double(reduction), Double(sMax + 1))) <= epochs { sMax += 1 }
        let weights = (0...sMax).reversed().map { s in pow(Double(reduction), Double(s)) / Double(s + 1) }
        let total = weights.reduce(0, +)
        let exact = weights.map { $0 / total * Double(runs) }
        var counts = exact.map { Int($0) }
        let order = exact.indices.sorted { (exact[$0] - Double(counts[$0]), -$0) > (exact[$1] - Double(counts[$1]), -$1) }
        for i in order.prefix(runs - counts.reduce(0, +)) { counts[i] += 1 }
        return zip((0...sMax).reversed(), counts).map { s, n in
            var rule = self
            rule.method = .successiveHalving
            rule.minEpochs = minEpochs * Int(pow(Double(reduction), Double(sMax - s)))
            return (rule, n)
        }
    }

    /// How many of `n` runs go on past a rung, given their values there (nil: no value, the
    /// run failed or diverged). Returns the indices kept, best first; ties go to the earlier run.
    public func keep(_ values: [Double?]) -> [Int] {
        let ranked = values.indices.filter { values[$0] != nil }.sorted { a, b in
            let x = values[a]!, y = values[b]!
            if x != y { return maximize ? x > y : x < y }
            return a < b
        }
        switch method {
        case .successiveHalving, .hyperband:
            let n = (values.count + reduction - 1) / reduction
            return Array(ranked.prefix(max(1, n)))
        case .median:
            guard !ranked.isEmpty else { return [] }
            let sorted = ranked.map { values[$0]! }.sorted()
            let mid = sorted.count / 2
            let median = sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
            return ranked.filter { maximize ? values[$0]! >= median : values[$0]! <= median }
        }
    }

    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> Pruning {
        let usage = "prune must be a mapping such as {method: successive_halving, metric: val_accuracy, min_epochs: 2, reduction: 3}"
        guard case .mapping(let map) = node else {
            throw YAMLError(usage + ", got \(node.kindDescription)", at: node.mark, in: source)
        }
        var method: Method?, metric: String?, goal: String?, minEpochs = 1, reduction = 3
        for entry in map.entries {
            switch entry.key.value {
            case "method":
                let names = Method.allCases.map(\.rawValue)
                guard case .scalar(let s) = entry.value, let m = Method(rawValue: s.value) else {
                    throw YAMLError("prune.method must be one of \(names.joined(separator: ", "))"
                        + (entry.value.scalar.map { "; got '\($0.shortValue)'" + Suggestion.hint(for: $0.value, in: names) } ?? ""),
                        at: entry.value.mark, in: source)
                }
                method = m
            case "metric", "goal":
                // The same words as select:
                guard case .scalar(let s) = entry.value else {
                    throw YAMLError("prune.\(entry.key.value) must be a word", at: entry.value.mark, in: source)
                }
                if entry.key.value == "metric" {
                    guard Selection.metrics.contains(s.value) else {
                        throw YAMLError("prune.metric must be one of \(Selection.metrics.joined(separator: ", ")); got '\(s.shortValue)'"
                            + Suggestion.hint(for: s.value, in: Selection.metrics), at: entry.value.mark, in: source)
                    }
                    metric = s.value
                } else {
                    guard ["max", "min"].contains(s.value) else {
                        throw YAMLError("prune.goal must be max or min, got '\(s.shortValue)'", at: entry.value.mark, in: source)
                    }
                    goal = s.value
                }
            case "min_epochs":
                minEpochs = try Parameter.int(entry.value, source, key: "prune.min_epochs", min: 1, max: 1_000_000)
            case "reduction":
                reduction = try Parameter.int(entry.value, source, key: "prune.reduction", min: 2, max: 1000)
            default:
                let keys = ["method", "metric", "goal", "min_epochs", "reduction"]
                throw YAMLError("unknown key '\(entry.key.value)' in prune" + Suggestion.hint(for: entry.key.value, in: keys),
                                at: entry.key.mark, in: source)
            }
        }
        guard let method else { throw YAMLError(usage + "; method is missing", at: node.mark, in: source) }
        guard let metric else { throw YAMLError(usage + "; metric is missing", at: node.mark, in: source) }
        return Pruning(method: method, metric: metric, maximize: (goal ?? (Selection.lowerIsBetter(metric) ? "min" : "max")) == "max",
                       minEpochs: minEpochs, reduction: reduction)
    }
}
