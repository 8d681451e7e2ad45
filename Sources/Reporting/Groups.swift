import Experiments
import Foundation
import Results
import Statistics

/// Runs whose configs differ only in `seed` (from `repeats` or a seed axis) form a group: the
/// unit a study's conclusions are about. Each group's figures are samples over its done runs.
public struct Groups: Sendable {
    /// A figure of a run that groups summarise and comparisons test.
    public enum Figure: String, CaseIterable, Sendable {
        case finalTestAccuracy = "final_test_accuracy", bestTestAccuracy = "best_test_accuracy"
        case finalTestLoss = "final_test_loss"
        case finalValAccuracy = "final_val_accuracy", bestValAccuracy = "best_val_accuracy"
        case finalValLoss = "final_val_loss"
        case finalTrainAccuracy = "final_train_accuracy"
        /// With a `select:`: the selection metric at each run's selected epoch, and the test
        /// accuracy there (the figure to report for a selected model).
        case selectedValue = "selected_value"
        case testAccuracyAtSelected = "test_accuracy_at_selected"
        // A regression run's figures (after the classification ones, whose columns keep their places).
        case finalTestRMSE = "final_test_rmse", bestTestRMSE = "best_test_rmse"
        case finalTestMAE = "final_test_mae", finalTestR2 = "final_test_r2"
        case finalValRMSE = "final_val_rmse", bestValRMSE = "best_val_rmse"
        case finalTrainRMSE = "final_train_rmse"
        case testRMSEAtSelected = "test_rmse_at_selected"

        /// The figure of one run, if it has it.
        public func value(_ row: Summary.Row) -> Double? {
            let m = row.metrics
            switch self {
            case .finalTestAccuracy: return m.last?.testAccuracy
            case .bestTestAccuracy: return m.lazy.compactMap(\.testAccuracy).max()
            case .finalTestLoss: return m.last?.testLoss
            case .finalValAccuracy: return m.last?.valAccuracy
            case .bestValAccuracy: return m.lazy.compactMap(\.valAccuracy).max()
            case .finalValLoss: return m.last?.valLoss
            case .finalTrainAccuracy: return m.last?.trainEvalAccuracy
            case .selectedValue:
                guard let e = row.selectedEpoch, let metric = row.selectionMetric else { return nil }
                return m[e - 1].figure(metric)
            case .testAccuracyAtSelected: return row.selectedEpoch.flatMap { m[$0 - 1].testAccuracy }
            case .finalTestRMSE: return m.last?.testErrors?.rmse
            case .bestTestRMSE: return m.lazy.compactMap(\.testErrors?.rmse).min()
            case .finalTestMAE: return m.last?.testErrors?.mae
            case .finalTestR2: return m.last?.testErrors?.r2
            case .finalValRMSE: return m.last?.valErrors?.rmse
            case .bestValRMSE: return m.lazy.compactMap(\.valErrors?.rmse).min()
            case .finalTrainRMSE: return m.last?.trainEvalErrors?.rmse
            case .testRMSEAtSelected: return row.selectedEpoch.flatMap { m[$0 - 1].testErrors?.rmse }
            }
        }

        /// Percentages (accuracies) differ by "points"; losses, errors and R² by plain numbers.
        public var isPercentage: Bool { rawValue.contains("accuracy") }

        /// Whether a smaller value is better (losses and errors; not accuracies or R²).
        public var lowerIsBetter: Bool {
            rawValue.hasSuffix("_loss") || rawValue.contains("rmse") || rawValue.hasSuffix("_mae")
        }
    }

    public struct Group: Sendable {
        /// Every parameter but the seed, keyed like the spec (canonical text).
        public var parameters: [String: String]
        /// The parameters that vary between groups, as `key=value,...` (the experiment's name
        /// when nothing varies).
        public var name: String
        public var rows: [Summary.Row]
        /// Its runs that finished every epoch; the samples are over these.
        /// Runs with a result to count: done, or stopped early by their rule.
        public var done: [Summary.Row] { rows.filter { $0.status == "done" || $0.status == "stopped" } }
        public var diverged: Int { rows.filter { $0.status == "diverged" }.count }

        public func sample(_ figure: Figure) -> Sample { Sample(done.compactMap(figure.value)) }
    }

    public var experiment: String
    public var groups: [Group]
    public var selection: Selection?
    /// The figure the tables lead with (test accuracy, or test RMSE for regression runs).
    public var headline: Headline

    /// The group the selection picks: the best mean of the selection metric at each run's
    /// selected epoch (nil without a `select:`).
    public var best: Int? {
        guard let selection else { return nil }
        let means = groups.enumerated().compactMap { i, g in g.sample(.selectedValue).mean.map { (i, $0) } }
        return (selection.goal == "max" ? means.max { $0.1 < $1.1 } : means.min { $0.1 < $1.1 })?.0
    }
    /// The parameters (not the seed) whose values differ between groups, in spec order.
    public var varying: [String]

    /// Groups the runs of a summary, in the order their first run appears.
    public init(_ summary: Summary) {
        experiment = summary.experiment
        selection = summary.selection
        headline = summary.headline
        let keys = Summary.parameterKeys.filter { $0 != "seed" }
        varying = keys.filter { key in Set(summary.rows.map { $0.parameters[key] ?? "" }).count > 1 }
        var order: [[String: String]] = []
        var members: [[String: String]: [Summary.Row]] = [:]
        for row in summary.rows {
            let key = Dictionary(uniqueKeysWithValues: keys.map { ($0, row.parameters[$0] ?? "") })
            if members[key] == nil { order.append(key) }
            members[key, default: []].append(row)
        }
        let varying = self.varying
        groups = order.map { key in
            let name = varying.isEmpty ? summary.experiment : varying.map { "\($0)=\(key[$0] ?? "")" }.joined(separator: ",")
            return Group(parameters: key, name: name, rows: members[key] ?? [])
        }
    }

    /// The figures any run of the experiment has (validation ones only with a validation split).
    public var figures: [Figure] {
        Figure.allCases.filter { f in groups.contains { g in g.rows.contains { f.value($0) != nil } } }
    }

    /// `groups.csv`: a row per group: its name, runs, done and diverged counts, then for each
    /// figure its mean, standard deviation and 95% Student-t interval over the done runs.
    public func csv() -> String {
        let figures = figures
        var header = ["group", "runs", "done", "diverged"]
        for f in figures { header += ["\(f.rawValue)_mean", "\(f.rawValue)_sd", "\(f.rawValue)_ci_low", "\(f.rawValue)_ci_high"] }
        var lines = [header.joined(separator: ",")]
        for g in groups {
            var cells = [Summary.csvField(g.name), String(g.rows.count), String(g.done.count), String(g.diverged)]
            for f in figures {
                let s = g.sample(f), ci = s.confidenceInterval()
                let format = f.isPercentage ? "%.4f" : "%.8f"
                cells += [Summary.format(s.mean, format), Summary.format(s.standardDeviation, format),
                          Summary.format(ci?.lowerBound, format), Summary.format(ci?.upperBound, format)]
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The terminal table: a row per group with the mean and 95% interval of the final and
    /// best test accuracy and the final test loss (and validation accuracy with a split).
    public func table() -> String {
        let h = headline
        var header = ["group", "n", "final \(h.short)", "sd", "95% CI", "best \(h.short)", "95% CI", "final loss", "95% CI"]
        let withValidation = figures.contains(h.finalVal)
        if withValidation { header += ["final val \(h.short)", "95% CI"] }
        if let selection { header += ["\(selection.metric) at selected", "test \(h.short) at selected", "95% CI"] }
        let bestGroup = best
        var all = [header]
        func interval(_ s: Sample, _ format: String) -> String {
            s.confidenceInterval().map { "[" + String(format: format, $0.lowerBound) + ", " + String(format: format, $0.upperBound) + "]" } ?? "-"
        }
        for g in groups {
            let n = "\(g.done.count)" + (g.done.count == g.rows.count ? "" : "/\(g.rows.count)")
            let acc = g.sample(h.final), best = g.sample(h.best), loss = g.sample(.finalTestLoss)
            var row = [g.name, n, h.format(acc.mean), Summary.format(acc.standardDeviation, h.plain, none: "-"),
                       interval(acc, h.plain), h.format(best.mean), interval(best, h.plain),
                       Summary.format(loss.mean, "%.4f", none: "-"), interval(loss, "%.4f")]
            if withValidation {
                let val = g.sample(h.finalVal)
                row += [h.format(val.mean), interval(val, h.plain)]
            }
            if selection != nil {
                let chosen = g.sample(.selectedValue), test = g.sample(h.atSelected)
                row += [Summary.format(chosen.mean, "%.4g", none: "-"), h.format(test.mean), interval(test, h.plain)]
            }
            if let bestGroup, groups[bestGroup].name == g.name { row[0] = "* " + row[0] }
            all.append(row)
        }
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        var lines = ["\(experiment): \(groups.count) group" + (groups.count == 1 ? "" : "s")
                     + " (runs that differ only in seed; n = runs done, figures over them)"]
        if let selection, let best {
            lines.append("selected by \(selection.metric) (\(selection.goal)) at each run's best epoch: * \(groups[best].name)")
        }
        for cells in all {
            var line = ""
            for (c, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                line += (c == 0 ? "" : "  ") + (c == 0 ? cell + pad : pad + cell)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            lines.append(line)
        }
        if let note = fewRunsNote { lines.append(note) }
        return lines.joined(separator: "\n") + "\n"
    }
}
