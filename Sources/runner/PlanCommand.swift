import ArgumentParser
import Experiments
import Foundation

/// `runner plan SPEC`: show the runs a spec expands to, without running anything.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "List the runs a spec expands to, with their ids.",
        discussion: """
            Writes nothing. The table ends with an estimate of the sweep's time, from a moment's \
            measurement of the engine on this machine and one job per core. The tsv and json \
            formats are for scripts: row I of the tsv (after its header) is the run that \
            `runner SPEC --index I` trains.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json, tsv
    }

    @Argument(help: "The experiment spec (YAML).")
    var spec: String

    @Option(help: "Output format: table, json or tsv.")
    var format: Format = .table

    @OptionGroup var options: SpecOptions

    func run() throws {
        let plan = try options.plan(spec)
        switch format {
        case .table:
            Output.out(plan.table(specPath: spec))
            // A moment's measurement of the engine, then the plan's work divided by it.
            Output.out(EngineSpeed.estimate(plan, flops: EngineSpeed.measure(),
                                            jobs: ProcessInfo.processInfo.activeProcessorCount) + "\n")
        case .json: Output.out(plan.json())
        case .tsv: Output.out(plan.tsv())
        }
    }
}
