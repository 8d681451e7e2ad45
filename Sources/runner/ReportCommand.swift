import ArgumentParser
import Foundation
import Reporting
import Results

/// `runner report RESULTS/NAME...`: report.html (self-contained) and report.md for each
/// experiment; with --output, one Markdown document over all of them (results/REPORT.md).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write report.html (one self-contained file) and report.md for experiments' results.",
        discussion: """
            The report holds the spec, the group table (means and 95% intervals over seeds), every \
            comparison of each varying parameter (Welch intervals and p-values), every chart, a \
            sortable table of the runs and their provenance. A sweep writes it at its end too. \
            --reference DIR adds, per group, the difference to another program's runs (CSV files \
            named GROUP.csv or GROUP,seed=N.csv, as bench/pytorch_seed.py writes); --since-epoch E \
            the change of test accuracy from epoch E to the last; --output FILE one Markdown \
            document over every experiment given.
            """)

    @Argument(help: "Experiments' results folders (results/NAME).")
    var directories: [String]

    @Option(help: ArgumentHelp("Another program's runs of the same groups, to compare against; NAME=DIR applies them to experiment NAME only (repeat it for several experiments).",
                               valueName: "[name=]dir"))
    var reference: [String] = []

    /// Each reference folder, and the experiment it is for (nil: every one).
    var referenceTargets: [(experiment: String?, directory: String)] {
        reference.map { reference in
            if let equals = reference.firstIndex(of: "="), !reference[..<equals].contains("/") {
                return (String(reference[..<equals]), String(reference[reference.index(after: equals)...]))
            }
            return (nil, reference)
        }
    }

    @Option(help: ArgumentHelp("Report each group's change from this epoch to its last.", valueName: "epoch"))
    var sinceEpoch: Int?

    @Option(help: ArgumentHelp("Also write one Markdown document over all the experiments here.", valueName: "file"))
    var output: String?

    func validate() throws {
        guard !directories.isEmpty else { throw ValidationError("give at least one results folder, e.g. results/comparison") }
        if let sinceEpoch, sinceEpoch < 1 { throw ValidationError("--since-epoch must be at least 1") }
        let targets = referenceTargets
        for (i, t) in targets.enumerated() {
            if t.directory.isEmpty { throw ValidationError("--reference \(reference[i]) names no folder") }
            // A reference for an experiment this report covers must exist (one for another
            // experiment, as a script passing every reference may give, is left alone).
            let names = directories.map { ($0 as NSString).standardizingPath.split(separator: "/").last.map(String.init) ?? $0 }
            var isDirectory: ObjCBool = false
            guard t.experiment.map({ !names.contains($0) }) ?? false
                    || (FileManager.default.fileExists(atPath: t.directory, isDirectory: &isDirectory) && isDirectory.boolValue) else {
                throw ValidationError("--reference \(reference[i]): no such folder; give the folder of the other program's CSV files")
            }
            if targets[..<i].contains(where: { $0.experiment == nil || t.experiment == nil || $0.experiment == t.experiment }) {
                throw ValidationError("--reference \(reference[i]) and an earlier --reference apply to the same experiment; "
                    + "give each experiment one, as NAME=DIR")
            }
        }
    }

    func run() throws {
        var sections: [String] = []
        let targets = referenceTargets
        for directory in directories {
            let store = try ResultsFolder.open(directory)
            let report: Report
            do throws(AtomicFile.WriteError) {
                let refreshed = try Charts.refresh(store)
                let name = (directory as NSString).lastPathComponent
                let target = targets.first { $0.experiment == nil || $0.experiment == name }
                report = Report(store, refreshed: refreshed, reference: target.map { ReferenceRuns(directory: $0.directory) },
                                sinceEpoch: sinceEpoch)
                try report.write(to: store)
            } catch {
                Output.error(error.description)
                throw ExitStatus.unwritable.code
            }
            Output.out("wrote \(store.file("report.html")) and \(store.file("report.md"))\n")
            if let output {
                sections.append(report.markdown(level: 2, charts: relativePath(from: AtomicFile.parent(of: output), to: directory) + "/"))
            }
        }
        if let output {
            let text = "# Results\n\nWritten by `runner report \(CommandLine.arguments.dropFirst(2).joined(separator: " "))`: "
                + "every figure below is read from the results folders named, with 95% intervals over seeds.\n\n"
                + sections.joined(separator: "\n")
            do throws(AtomicFile.WriteError) {
                try AtomicFile.write(text, to: output)
            } catch {
                Output.error(error.description)
                throw ExitStatus.unwritable.code
            }
            Output.out("wrote \(output)\n")
        }
    }

    /// `to` as seen from the folder `from` (both relative to here or absolute).
    func relativePath(from: String, to: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        func parts(_ p: String) -> [String] {
            let absolute = p.hasPrefix("/") ? p : cwd + "/" + p
            return (absolute as NSString).standardizingPath.split(separator: "/").map(String.init)
        }
        let a = parts(from.isEmpty ? "." : from), b = parts(to)
        var common = 0
        while common < a.count && common < b.count && a[common] == b[common] { common += 1 }
        let path = Array(repeating: "..", count: a.count - common) + b[common...]
        return path.isEmpty ? "." : path.joined(separator: "/")
    }
}
