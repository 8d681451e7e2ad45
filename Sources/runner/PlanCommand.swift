import ArgumentParser
import Experiments

/// `runner plan SPEC`: show the runs a spec expands to, without running anything.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "List the runs a spec expands to, with their ids.",
        discussion: """
            Writes nothing. The tsv and json formats are for scripts: row I of the tsv (after \
            its header) is the run that `runner SPEC --index I` trains.
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
        case .table: Output.out(plan.table(specPath: spec))
        case .json: Output.out(plan.json())
        case .tsv: Output.out(plan.tsv())
        }
    }
}
