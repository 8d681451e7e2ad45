import SpecYAML
import Vocabulary

/// The spec's `select:` section: which figure picks the best epoch of each run and the best
/// group. Nothing selects on test figures unless a spec asks for it.
public struct Selection: Sendable, Equatable, Codable {
    /// The figures an epoch can be selected by, as metrics.csv names them (`train_eval_*` are
    /// the evaluation-mode figures on the training sample).
    public static let metrics = ["val_accuracy", "val_loss", "test_accuracy", "test_loss",
                                 "train_eval_accuracy", "train_eval_loss"]
        + ["val", "test", "train_eval"].flatMap { split in ["rmse", "mae", "r2"].map { "\(split)_\($0)" } }

    /// Whether a smaller value of `metric` is better: losses and errors (RMSE, MAE); an
    /// accuracy or R² is better larger.
    public static func lowerIsBetter(_ metric: String) -> Bool {
        metric.hasSuffix("_loss") || metric.hasSuffix("_rmse") || metric.hasSuffix("_mae")
    }

    /// Whether runs of `task` record `metric` (a loss both; accuracies classification's; RMSE,
    /// MAE and R² regression's).
    public static func metric(_ metric: String, suits task: LearningTask) -> Bool {
        if metric.hasSuffix("_loss") { return true }
        return metric.hasSuffix("_accuracy") == (task == .classification)
    }

    public var metric: String
    /// `max` or `min`.
    public var goal: String

    public init(metric: String, goal: String) {
        self.metric = metric
        self.goal = goal
    }

    public var needsValidation: Bool { metric.hasPrefix("val_") }

    enum CodingKeys: String, CodingKey { case metric, goal }

    /// Reads select.json as the runner writes it: a known metric and `max` or `min`, nothing
    /// else (a file edited by hand is refused rather than half-understood).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metric = try c.decode(String.self, forKey: .metric)
        goal = try c.decode(String.self, forKey: .goal)
        guard Selection.metrics.contains(metric) else {
            throw DecodingError.dataCorruptedError(forKey: .metric, in: c, debugDescription: "not a metric runner selects by")
        }
        guard goal == "max" || goal == "min" else {
            throw DecodingError.dataCorruptedError(forKey: .goal, in: c, debugDescription: "the goal is max or min")
        }
    }

    /// Reads `select: {metric: val_accuracy, goal: max}` (goal defaults to max for accuracies
    /// and R², min for losses and errors).
    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> Selection {
        guard case .mapping(let map) = node else {
            throw YAMLError("select must be a mapping such as '{metric: val_accuracy, goal: max}', got \(node.kindDescription)",
                            at: node.mark, in: source)
        }
        var metric: String?, goal: String?
        for entry in map.entries {
            guard case .scalar(let s) = entry.value else {
                throw YAMLError("select.\(entry.key.value) must be a word, got \(entry.value.kindDescription)",
                                at: entry.value.mark, in: source)
            }
            switch entry.key.value {
            case "metric":
                guard metrics.contains(s.value) else {
                    throw YAMLError("select.metric must be one of \(metrics.joined(separator: ", ")); got '\(s.shortValue)'"
                        + Suggestion.hint(for: s.value, in: metrics), at: entry.value.mark, in: source)
                }
                metric = s.value
            case "goal":
                guard ["max", "min"].contains(s.value) else {
                    throw YAMLError("select.goal must be max or min, got '\(s.shortValue)'", at: entry.value.mark, in: source)
                }
                goal = s.value
            default:
                throw YAMLError("unknown key '\(entry.key.value)' in select" + Suggestion.hint(for: entry.key.value, in: ["metric", "goal"]),
                                at: entry.key.mark, in: source)
            }
        }
        guard let metric else {
            throw YAMLError("select needs a metric, e.g. '{metric: val_accuracy}'", at: node.mark, in: source)
        }
        return Selection(metric: metric, goal: goal ?? (lowerIsBetter(metric) ? "min" : "max"))
    }
}
