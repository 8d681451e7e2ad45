import ArgumentParser
import Experiments

/// `runner SPEC...`: train every run of each spec.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train every run of each spec (the default command).")

    @Argument(help: "Experiment specs (YAML).")
    var specs: [String]

    @OptionGroup var options: SpecOptions

    func validate() throws {
        guard !specs.isEmpty else { throw ValidationError("give at least one spec, e.g. experiments/relu_dropout.yaml") }
    }

    func run() throws {
        for path in specs {
            let plan = try options.plan(path)
            Output.out(plan.table(specPath: path))
        }
    }
}
