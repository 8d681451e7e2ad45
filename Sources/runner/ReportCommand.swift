import ArgumentParser
import Foundation
import Reporting
import Results

/// `runner report RESULTS/NAME`: report.html (self-contained) and report.md for an experiment.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write report.html (one self-contained file) and report.md for an experiment's results.",
        discussion: """
            The report holds the spec, the group table (means and 95% intervals over seeds), every \\
            comparison of each varying parameter (Welch intervals and p-values), every chart, a \\
            sortable table of the runs and their provenance. A sweep writes it at its end too.
            """)

    @Argument(help: "An experiment's results folder (results/NAME).")
    var directory: String

    func run() throws {
        let store = RunStore(directory: directory)
        guard FileManager.default.fileExists(atPath: store.file(RunStore.planFile)) else {
            Output.error("\(directory): error: no plan.tsv here; give an experiment's results folder such as results/comparison")
            throw ExitStatus.invalidInput.code
        }
        do throws(AtomicFile.WriteError) {
            try Charts.refresh(store)
            try Report(store).write(to: store)
        } catch {
            Output.error(error.description)
            throw ExitStatus.unwritable.code
        }
        Output.out("wrote \(store.file("report.html")) and \(store.file("report.md"))\n")
    }
}
