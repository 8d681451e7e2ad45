import ArgumentParser
import Foundation
import Reporting
import Results

/// `runner importance RESULTS/NAME`: which sampled parameters mattered in a sampled or
/// searched sweep (PED-ANOVA, Optuna's default evaluator), as a table, or with `--json` the
/// trials and importances for other tools (scripts/importance-vs-optuna.py reads it).
struct ImportanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "importance",
        abstract: "Which sampled parameters mattered: PED-ANOVA importances over a sweep's trials.",
        discussion: """
            Reads each finished run as a trial: its select: figure at its selected epoch (or the \
            test figure at its last). In a pruned sweep every trial is read at the first rung's \
            epoch, which all reached; --epoch E reads every run that reached E there. \
            Importances are Optuna's default PedAnovaImportanceEvaluator (the best 10% of trials \
            against all, 50 grid steps), normalized to sum to 1. Exits 6 when there is nothing \
            to rank (fewer than two sampled parameters or trials).
            """)

    @Argument(help: "An experiment's results folder (results/NAME).")
    var directory: String

    @Option(help: "Read every trial at this epoch (default: each run's selected or last; a pruned sweep's first rung).")
    var epoch: Int?

    @Flag(help: "Print the trials and importances as JSON (parameters with Optuna's distribution kinds).")
    var json = false

    func validate() throws {
        if let epoch, epoch < 1 { throw ValidationError("--epoch must be 1 or more") }
    }

    func run() throws {
        let store = try ResultsFolder.open(directory)
        let importance: Importance
        do throws(Importance.Failure) {
            importance = try Importance.load(store, summary: Summary.load(store), epoch: epoch)
        } catch {
            Output.error("runner importance: error: \(error.message)")
            throw ExitStatus.nothingToCompare.code
        }
        if json {
            Output.out(importance.json())
            return
        }
        var text = "\(importance.experiment): \(importance.trials.count) trials read by \(importance.basis)\n"
        let rows = importance.rows()
        let widths = rows.header.indices.map { c in ([rows.header[c]] + rows.rows.map { $0[c] }).map(\.count).max()! }
        for line in [rows.header] + rows.rows {
            text += zip(line, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ") + "\n"
        }
        if let caution = importance.caution { text += caution + "\n" }
        Output.out(text)
    }
}
