import Experiments
import Foundation

/// The summary for scripts and documents (`runner summarize --format`), and sorted.
extension Summary {
    /// The columns `sorted(by:)` takes, each sorted best first.
    public enum SortKey: String, CaseIterable, Sendable {
        case index, name, status
        case finalTestAccuracy = "final_test_accuracy", bestTestAccuracy = "best_test_accuracy"
        case finalTestLoss = "final_test_loss"
        case finalValAccuracy = "final_val_accuracy", bestValAccuracy = "best_val_accuracy"
        case finalValLoss = "final_val_loss", seconds
        case finalTestRMSE = "final_test_rmse", bestTestRMSE = "best_test_rmse", finalTestR2 = "final_test_r2"
        case finalValRMSE = "final_val_rmse"

        /// The figure this key orders by, for keys that name one.
        public var figure: Groups.Figure? {
            switch self {
            case .finalTestAccuracy: .finalTestAccuracy
            case .bestTestAccuracy: .bestTestAccuracy
            case .finalTestLoss: .finalTestLoss
            case .finalValAccuracy: .finalValAccuracy
            case .bestValAccuracy: .bestValAccuracy
            case .finalValLoss: .finalValLoss
            case .finalTestRMSE: .finalTestRMSE
            case .bestTestRMSE: .bestTestRMSE
            case .finalTestR2: .finalTestR2
            case .finalValRMSE: .finalValRMSE
            case .index, .name, .status, .seconds: nil
            }
        }

        /// Losses, errors and seconds order lowest first, accuracies and R² highest first.
        var ascending: Bool { figure?.lowerIsBetter ?? (self == .seconds) }

        /// Rows sorted by this key: highest accuracy, lowest loss and fewest seconds first;
        /// index, name and status in ascending order; runs without the figure last; ties in
        /// plan order.
        func areInOrder(_ a: Row, _ b: Row) -> Bool? {
            func compare<T: Comparable>(_ x: T?, _ y: T?, ascending: Bool) -> Bool? {
                switch (x, y) {
                case (nil, nil): return nil
                case (nil, _): return false
                case (_, nil): return true
                case let (x?, y?): return x == y ? nil : (ascending ? x < y : x > y)
                }
            }
            switch self {
            case .index: return compare(a.index, b.index, ascending: true)
            case .name: return compare(a.name, b.name, ascending: true)
            case .status: return compare(a.status, b.status, ascending: true)
            case .seconds: return compare(a.seconds, b.seconds, ascending: true)
            default:
                return compare(figure!.value(a), figure!.value(b), ascending: ascending)
            }
        }
    }

    /// The same summary with its rows sorted by `key` (stable: ties keep plan order).
    public func sorted(by key: SortKey) -> Summary {
        var copy = self
        copy.rows = rows.enumerated().sorted { a, b in key.areInOrder(a.element, b.element) ?? (a.offset < b.offset) }
            .map(\.element)
        return copy
    }

    /// One JSON object: the experiment and one object per run, figures as numbers (null when
    /// the run has none yet), parameters as their canonical text.
    public func json() -> String {
        func number(_ v: Double?) -> String { v.map { $0.isFinite ? "\($0)" : "null" } ?? "null" }
        let items = rows.map { r in
            let parameters = Summary.parameterKeys.map { "\(JSON.quote($0)): \(JSON.quote(r.parameters[$0] ?? ""))" }
            let regression: String = r.metrics.first?.isRegression == true
                ? Summary.regressionFigures.map { "\"\($0.rawValue)\": \(number($0.value(r))), " }.joined() : ""
            return "    {\"index\": \(r.index.map(String.init) ?? "null"), \"id\": \(JSON.quote(r.id)), "
                + "\"name\": \(JSON.quote(r.name)), \"status\": \(JSON.quote(r.status)), "
                + "\"epochs_done\": \(r.epochsDone), \"final_test_accuracy\": \(number(r.finalAccuracy)), "
                + "\"best_test_accuracy\": \(number(r.bestAccuracy)), \"final_test_loss\": \(number(r.finalLoss)), "
                + regression
                + "\"total_seconds\": \(number(r.seconds)), \"parameters\": {" + parameters.joined(separator: ", ") + "}}"
        }
        return "{\n  \"experiment\": \(JSON.quote(experiment)),\n  \"runs\": [\n"
            + items.joined(separator: ",\n") + (items.isEmpty ? "" : "\n") + "  ]\n}\n"
    }

    /// A Markdown table, for a paper's notes or a pull request.
    public func markdown() -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        let h = headline
        var lines = ["| # | id | name | status | epochs | final \(h.short) | best \(h.short) | final loss | seconds |",
                     "|--:|---|---|---|--:|--:|--:|--:|--:|"]
        for r in rows {
            let cells = [r.index.map(String.init) ?? "-", "`\(r.id)`", cell(r.name), r.status,
                         "\(r.epochsDone)/" + (r.epochs.map(String.init) ?? "?"),
                         h.format(h.final.value(r)),
                         h.format(h.best.value(r)),
                         Summary.format(r.finalLoss, "%.4f", none: "-"),
                         Summary.seconds(r.seconds)]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return "**\(cell(experiment))**: \(rows.count) run\(rows.count == 1 ? "" : "s")\n\n" + lines.joined(separator: "\n") + "\n"
    }
}
