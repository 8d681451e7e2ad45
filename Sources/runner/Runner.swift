import ArgumentParser
import Experiments
import Foundation
import Results

/// The entry point: `-V` and `--version` (the full version needs a look at git, so it is not
/// computed for every command), and a did-you-mean for a mistyped subcommand, which would
/// otherwise be read as a spec file; then the command line goes to `Runner`.
@main
enum Main {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // Tests' kill and stop points (TestPoint); off unless RUNNER_TEST_POINT is set.
        if let problem = TestPoint.arm(environment: ProcessInfo.processInfo.environment) {
            Output.error("runner: error: \(problem)")
            exit(ExitStatus.usage.rawValue)
        }
        if case .failure(let error) = EngineChoice.kernelChoice {
            Output.error("runner: error: RUNNER_KERNELS=\(ProcessInfo.processInfo.environment["RUNNER_KERNELS"] ?? ""): "
                + error.message)
            exit(ExitStatus.usage.rawValue)
        }
        if arguments == ["--version"] || arguments == ["-V"] {
            print(Version.description)
            return
        }
        if arguments.isEmpty {
            print(Runner.helpMessage())
            return
        }
        // `runner data fech`: a mistyped subcommand of a command that has them.
        if arguments.count >= 2, let command = Runner.configuration.subcommands.first(where: {
            $0.configuration.commandName == arguments[0] && !$0.configuration.subcommands.isEmpty }) {
            let names = command.configuration.subcommands.compactMap { $0.configuration.commandName }
            let word = arguments[1]
            if !word.hasPrefix("-"), !names.contains(word), let near = Suggestion.nearest(to: word, in: names) {
                Output.error("runner: error: unknown command '\(arguments[0]) \(word)'; did you mean 'runner \(arguments[0]) \(near)'?")
                exit(ExitStatus.usage.rawValue)
            }
        }
        if let first = arguments.first, !first.hasPrefix("-"), !first.contains("/"), !first.contains("."),
           !Runner.commandNames.contains(first), !FileManager.default.fileExists(atPath: first),
           let near = Runner.commandNames.min(by: { Suggestion.distance(first, $0) < Suggestion.distance(first, $1) }),
           Suggestion.distance(first, near) <= 2, Suggestion.distance(first, near) < first.count {
            Output.error("runner: error: unknown command '\(first)'; did you mean 'runner \(near)'? "
                + "(a spec is a file path such as experiments/\(first).yaml)")
            exit(ExitStatus.usage.rawValue)
        }
        Runner.main(arguments)
    }
}

/// `runner`: run YAML-specified sweeps of small MLP experiments.
struct Runner: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "Run sweeps of small neural-network experiments described in YAML.",
        discussion: """
            A spec sets the training parameters (activation, dropout, epochs, lr, ...) and may \
            sweep any of them; every combination is one run with a stable id. See docs/specs.md for \
            the spec reference. Shell completion: runner --generate-completion-script bash|zsh|fish.

            Examples:
              runner experiments/relu_dropout.yaml          train every run of a spec
              runner plan experiments/comparison.yaml       list the runs a spec expands to
              runner plan experiments/comparison.yaml --format tsv
              runner experiments/comparison.yaml --set epochs=2 --set dropout=0.2
              runner summarize results/comparison           a row per group: mean and 95% CI over seeds
              runner compare results/comparison --by activation   differences with 95% CIs and p-values
              runner report results/comparison              report.html and report.md
              runner slurm experiments/comparison.yaml --time 1:00:00 --submit
              runner data                                   which datasets are present and verified
              runner data fetch mnist                       fetch and verify MNIST into data/
            """,
        subcommands: [RunCommand.self, PlanCommand.self, SummarizeCommand.self, SlurmCommand.self, CompareCommand.self, SeedsCommand.self, ImportanceCommand.self, ReportCommand.self, ExportCommand.self, UICommand.self, DataCommand.self, PredictCommand.self],
        defaultSubcommand: RunCommand.self)

    /// The subcommands' names, for the did-you-mean of a mistyped one.
    static var commandNames: [String] {
        configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
    }
}
