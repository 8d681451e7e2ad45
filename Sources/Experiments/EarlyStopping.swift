import SpecYAML
import Vocabulary

/// `early_stopping: {metric: val_loss, patience: 3, min_delta: 0}`: end a run once its
/// validation metric has not improved by more than `min_delta` for `patience` epochs (Keras's
/// rule). The run ends as `stopped`, its metrics up to there kept, and its best epoch is the
/// one to use. The decision is a function of the epochs' figures alone, so a resumed run makes
/// the same one. Needs a validation split.
public struct EarlyStopping: Hashable, Sendable, CustomStringConvertible {
    public enum Metric: String, Sendable, CaseIterable {
        case valLoss = "val_loss", valAccuracy = "val_accuracy"
        /// Regression's figures on the validation split.
        case valRMSE = "val_rmse", valMAE = "val_mae", valR2 = "val_r2"

        /// Lower is better for a loss or an error, higher for an accuracy or R².
        public var minimises: Bool { Selection.lowerIsBetter(rawValue) }

        /// Whether runs of `task` record this figure.
        public func suits(_ task: LearningTask) -> Bool { Selection.metric(rawValue, suits: task) }
    }

    public var metric: Metric
    public var patience: Int
    public var minDelta: Double

    public init(metric: Metric, patience: Int, minDelta: Double = 0) {
        self.metric = metric
        self.patience = patience
        self.minDelta = minDelta
    }

    /// The canonical spelling, metric/patience/min_delta: `val_loss/3/0.0`.
    public var description: String { "\(metric.rawValue)/\(patience)/\(minDelta)" }

    public init?(canonical text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 3, let metric = Metric(rawValue: String(parts[0])), let patience = Int(parts[1]),
              let minDelta = Double(parts[2]) else { return nil }
        self.init(metric: metric, patience: patience, minDelta: minDelta)
    }

    /// The best epoch so far (1-based; the first best on ties) and whether to stop after the
    /// last of `values` (one per finished epoch): an epoch improves on the best when it is
    /// better by more than `minDelta`; stop once `patience` epochs have passed without one.
    public func decision(_ values: [Double]) -> (best: Int, stop: Bool) {
        guard var bestValue = values.first else { return (0, false) }
        var best = 1
        for (i, v) in values.enumerated().dropFirst() {
            let improves = metric.minimises ? v < bestValue - minDelta : v > bestValue + minDelta
            if improves {
                bestValue = v
                best = i + 1
            }
        }
        return (best, values.count - best >= patience)
    }

    /// The first epoch after which the rule says stop, given every finished epoch's value
    /// (`decision` over each prefix, in one pass); nil when it never does. A run stopped by the
    /// rule ends exactly there, and a run done without stopping has none before its last epoch.
    public func firstStop(_ values: [Double]) -> Int? {
        guard var bestValue = values.first else { return nil }
        var best = 1
        for (i, v) in values.enumerated() {
            if i > 0 && (metric.minimises ? v < bestValue - minDelta : v > bestValue + minDelta) {
                bestValue = v
                best = i + 1
            }
            if i + 1 - best >= patience { return i + 1 }
        }
        return nil
    }

    /// Reads `none` (nil) or `{metric: val_loss | val_accuracy | val_rmse | ..., patience: N >= 1, min_delta: D >= 0}`
    /// (metric and patience required).
    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> EarlyStopping? {
        let usage = "early_stopping must be none or {metric: val_loss, patience: 3, min_delta: 0}"
        if case .scalar(let s) = node, s.value == "none" { return nil }
        guard case .mapping(let map) = node else {
            throw YAMLError(usage + "; got " + (node.scalar.map { "'\($0.shortValue)'" } ?? node.kindDescription),
                            at: node.mark, in: source)
        }
        var metric: Metric?, patience: Int?, minDelta = 0.0
        for entry in map.entries {
            switch entry.key.value {
            case "metric":
                let names = Metric.allCases.map(\.rawValue)
                guard case .scalar(let s) = entry.value, let m = Metric(rawValue: s.value) else {
                    throw YAMLError("early_stopping metric must be one of \(names.joined(separator: ", "))"
                        + (entry.value.scalar.map { "; got '\($0.shortValue)'" + Suggestion.hint(for: $0.value, in: names) } ?? ""),
                        at: entry.value.mark, in: source)
                }
                metric = m
            case "patience":
                patience = try Parameter.int(entry.value, source, key: "early_stopping patience", min: 1, max: 1_000_000)
            case "min_delta":
                minDelta = try Parameter.number(entry.value, source, key: "early_stopping min_delta", range: ">= 0") { $0 >= 0 }
            default:
                throw YAMLError("unknown key '\(entry.key.value)' in early_stopping; it takes metric, patience, min_delta"
                    + Suggestion.hint(for: entry.key.value, in: ["metric", "patience", "min_delta"]), at: entry.key.mark, in: source)
            }
        }
        guard let metric else { throw YAMLError(usage + "; metric is missing", at: node.mark, in: source) }
        guard let patience else { throw YAMLError(usage + "; patience is missing", at: node.mark, in: source) }
        return EarlyStopping(metric: metric, patience: patience, minDelta: minDelta == 0 ? 0 : minDelta)
    }
}
