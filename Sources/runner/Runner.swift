import ArgumentParser

/// `runner`: run YAML-specified sweeps of small MLP experiments.
@main
struct Runner: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runner",
        abstract: "Run sweeps of small neural-network experiments described in YAML.",
        discussion: """
            A spec sets the training parameters (activation, dropout, epochs, lr, ...) and may
            sweep any of them; every combination is one run with a stable id. See README.md for
            the spec reference.

            Examples:
              runner experiments/relu_dropout.yaml          train every run of a spec
              runner plan experiments/comparison.yaml       list the runs a spec expands to
              runner plan experiments/comparison.yaml --format tsv
              runner experiments/comparison.yaml --set epochs=2 --set dropout=0.2
              runner summarize results/comparison           summary table of finished runs
              runner slurm experiments/comparison.yaml --time 1:00:00 --submit
            """,
        subcommands: [RunCommand.self, PlanCommand.self, SummarizeCommand.self, SlurmCommand.self],
        defaultSubcommand: RunCommand.self)
}
