import ArgumentParser
import Foundation
import Reporting
import Results

/// `runner seeds RESULTS/NAME --by PARAM --detect D`: how many seeds each comparison needs to
/// detect a difference of D with 80% power at 5% (Welch's test), from the spread its seeds show
/// so far, and which comparisons are underpowered.
struct SeedsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seeds",
        abstract: "How many seeds each comparison needs to detect a difference: power from the observed spread.",
        discussion: """
            For each pair of groups `runner compare --by PARAM` would compare, estimates each \
            group's standard deviation from its done runs and finds the smallest number of runs \
            a group at which Welch's two-sided test at --alpha detects a true difference of \
            --detect (in the figure's units: points for accuracies) with probability --power \
            (noncentral t, Welch's degrees of freedom). Exits 0; lists the underpowered \
            comparisons at the end.
            """)

    @Argument(help: "An experiment's results folder (results/NAME).")
    var directory: String

    @Option(help: "The parameter whose values are compared (e.g. activation).")
    var by: String

    @Option(help: "The smallest difference worth detecting, in the figure's units (points for accuracies).")
    var detect: Double

    @Option(help: "The power wanted (default 0.8).")
    var power: Double = 0.8

    @Option(help: "The test's level (default 0.05).")
    var alpha: Double = 0.05

    @Option(help: ArgumentHelp("The figure compared (default: final_test_accuracy, or final_test_rmse for regression runs).",
                               valueName: Groups.Figure.allCases.map(\.rawValue).joined(separator: "|")))
    var metric: Groups.Figure?

    func validate() throws {
        guard detect > 0, detect.isFinite else { throw ValidationError("--detect must be a number > 0") }
        guard power > 0, power < 1 else { throw ValidationError("--power must be in (0, 1)") }
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be in (0, 1)") }
    }

    func run() throws {
        let comparison = try CompareCommand.load(directory, by: by, metric: metric, command: "seeds")
        let advice = comparison.pairs.map { $0.seedAdvice(detect: detect, power: power, alpha: alpha) }
        Output.out(advice.map(\.sentence).joined(separator: "\n") + "\n")
        let under = advice.filter(\.underpowered).count
        Output.out(under == 0 ? "every comparison has the seeds it needs\n"
                   : "\(under) of \(advice.count) comparison\(advice.count == 1 ? "" : "s") underpowered\n")
    }
}
