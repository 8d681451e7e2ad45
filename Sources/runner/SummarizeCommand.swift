import ArgumentParser
import Foundation
import Reporting
import Results

extension Summary.SortKey: ExpressibleByArgument {}

/// `runner summarize DIR`: the summary of an experiment's results as a table, refreshing
/// summary.csv and the charts (for runs trained elsewhere, e.g. by a job array).
struct SummarizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summarize",
        abstract: "Print (and refresh) the summary of results/<experiment>, or of every experiment under results/.",
        discussion: """
            By default one row per group (runs that differ only in seed): n, and the mean and 95% \
            Student-t interval of the final test accuracy and loss; --by-run lists the runs. \
            Refreshes summary.csv, groups.csv and the charts.
            """)

    @Argument(help: "An experiment's results folder (results/NAME), or the results folder itself.")
    var directory: String

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json, md }

    @Option(help: "How to print the summary.")
    var format: Format = .table

    @Flag(help: "One row per run instead of one per group of runs that differ only in seed.")
    var byRun = false

    @Option(help: ArgumentHelp("Order the rows (groups, or runs with --by-run) by this column, best first (highest accuracy, lowest loss; a group by its mean).",
                               valueName: Summary.SortKey.allCases.map(\.rawValue).joined(separator: "|")))
    var sort: Summary.SortKey = .index

    /// The experiment folders `directory` names: itself, when it is one, else those in it;
    /// a one-line error and exit 2 when there are none.
    static func experiments(in directory: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            Output.error("\(directory): error: no such results folder")
            throw ExitStatus.invalidInput.code
        }
        let fm = FileManager.default
        let isExperiment = { (dir: String) in
            ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).contains {
                fm.fileExists(atPath: RunStore(directory: dir).file(RunStore.configFile, ofID: $0))
            } || fm.fileExists(atPath: RunStore(directory: dir).file(RunStore.planFile))
        }
        if isExperiment(directory) { return [directory] }
        let experiments = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted()
            .map { (directory as NSString).appendingPathComponent($0) }.filter(isExperiment)
        guard !experiments.isEmpty else {
            Output.error("\(directory): error: holds no experiment results (no run folders with config.json)")
            throw ExitStatus.invalidInput.code
        }
        return experiments
    }

    func run() throws {
        let experiments = try SummarizeCommand.experiments(in: directory)
        var unwritable = false
        for dir in experiments {
            let store = RunStore(directory: dir)
            if let problem = store.selectionProblem() {
                Output.error(problem)
                throw ExitStatus.invalidInput.code
            }
            // One read of the run folders: the refresh's summary, or (when it cannot write) a fresh one.
            let loaded: Summary
            do throws(AtomicFile.WriteError) { loaded = try Charts.refresh(store).summary } catch {
                // The summary is still printed; the exit status says it could not be written
                // (4, as `report` and a sweep say it).
                Output.error(error.description)
                loaded = Summary.load(store)
                unwritable = true
            }
            let summary = loaded.sorted(by: sort)
            if !byRun {
                let groups = Groups(loaded).sorted(by: sort)
                switch format {
                case .table: Output.out(groups.table())
                case .csv: Output.out(groups.csv())
                case .json: Output.out(groups.json())
                case .md: Output.out(groups.markdown())
                }
                continue
            }
            switch format {
            case .table: Output.out(summary.table())
            case .csv: Output.out(summary.csv())
            case .json: Output.out(summary.json())
            case .md: Output.out(summary.markdown())
            }
        }
        if unwritable { throw ExitStatus.unwritable.code }
    }
}
