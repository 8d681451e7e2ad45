import ArgumentParser
import Foundation
import Reporting
import Results

extension Groups.Figure: ExpressibleByArgument {}

/// `runner compare RESULTS/NAME --by PARAM`: differences between the values of one parameter,
/// everything else equal, over the seeds of each group: mean difference, 95% Welch interval,
/// p-value, and a sentence a report can quote.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare the values of one parameter, everything else equal: difference, 95% CI, p-value.",
        discussion: """
            Runs that differ only in seed form a group. For each pair of values of PARAM whose \
            groups agree on every other parameter, prints the difference of the group means \
            (later value minus earlier, in plan order) with its 95% Welch interval and two-sided \
            p-value. Needs at least two done runs (seeds) a side for an interval. Exits 6 when \
            PARAM varies but never alone (no two groups equal in every other parameter).
            """)

    @Argument(help: "An experiment's results folder (results/NAME).")
    var directory: String

    @Option(help: "The parameter whose values are compared (e.g. activation, dropout).")
    var by: String

    @Option(help: ArgumentHelp("The figure compared (default: final_test_accuracy, or final_test_rmse for regression runs).",
                               valueName: Groups.Figure.allCases.map(\.rawValue).joined(separator: "|")))
    var metric: Groups.Figure?

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

    @Option(help: "text (a sentence per pair), json or csv.")
    var format: Format = .text

    /// The comparison of `directory`'s groups by `parameter` on `metric` (default: the
    /// headline's final figure), or the command's one-line error and exit code.
    static func load(_ directory: String, by parameter: String, metric: Groups.Figure?, command: String) throws -> Comparison {
        let store = try ResultsFolder.open(directory)
        do throws(Comparison.Failure) {
            let groups = Groups(Summary.load(store))
            return try Comparison(groups, by: parameter, figure: metric ?? groups.headline.final)
        } catch {
            Output.error("runner \(command): error: \(error.message)")
            throw (error.noPair ? ExitStatus.nothingToCompare : ExitStatus.invalidInput).code
        }
    }

    func run() throws {
        let comparison = try CompareCommand.load(directory, by: by, metric: metric, command: "compare")
        switch format {
        case .text: Output.out(comparison.pairs.map(\.verdict).joined(separator: "\n") + "\n")
        case .json: Output.out(comparison.json())
        case .csv: Output.out(comparison.csv())
        }
    }
}
