import Experiments
import Foundation
import Results

/// Whether an experiment's summary, charts and report are newer than every file they are made
/// from, so that a rerun with nothing to train can leave them as they are instead of reading
/// every run's rows again (a million-epoch run's take seconds). Made from: plan.json, plan.tsv,
/// select.json, specs/sources.tsv, and each run folder's config.json, status.json,
/// metrics.csv and provenance.json. Strictly newer: a file written in the same clock tick as
/// the summary counts as newer. `runner summarize` and `runner report` always rebuild.
public enum Freshness {
    /// The files `Charts.refresh` and `Report.write` write, each given by its names (the main
    /// chart is accuracy.svg, or rmse.svg for a regression experiment).
    static let outputs = [[RunStore.summaryFile], [RunStore.groupsFile], ["accuracy.svg", "rmse.svg"], ["loss.svg"],
                          ["report.html"], ["report.md"]]

    public static func isCurrent(_ store: RunStore) -> Bool {
        var oldestOutput: FileStamp?
        for names in outputs {
            guard let t = names.lazy.compactMap({ FileStamp(path: store.file($0)) }).first else { return false }
            if oldestOutput.map({ t.modified(before: $0) }) ?? true { oldestOutput = t }
        }
        guard let oldest = oldestOutput else { return false }
        var inputs = [RunStore.planRecordFile, RunStore.planFile, RunStore.selectionFile, "specs/sources.tsv"].map(store.file)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: store.directory)) ?? [] where entry.count == 12 {
            for name in [RunStore.configFile, RunStore.statusFile, RunStore.metricsFile, RunStore.provenanceFile] {
                inputs.append(store.file(name, ofID: entry))
            }
        }
        return inputs.allSatisfy { path in FileStamp(path: path).map { $0.modified(before: oldest) } ?? true }
    }
}
