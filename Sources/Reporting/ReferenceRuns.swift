import Foundation
import Statistics

/// Final figures of another program's runs of the same groups, for the report's "does the
/// engine reproduce the reference?" table: CSV files named `GROUP.csv` or `GROUP,seed=N.csv`
/// (GROUP as the groups are named, e.g. `activation=relu,dropout=0.5`), each with a header
/// naming `test_accuracy` and `test_loss` columns and a row per epoch; the last row counts.
/// bench/pytorch_seed.py writes such files.
public struct ReferenceRuns: Sendable {
    public var directory: String
    /// Group name → final test accuracies and losses, one per file (seed).
    public var accuracy: [String: Sample]
    public var loss: [String: Sample]

    public init(directory: String) {
        self.directory = directory
        var accuracy: [String: [Double]] = [:], loss: [String: [Double]] = [:]
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
        for file in files {
            var group = String(file.dropLast(4))
            if let r = group.range(of: ",seed=", options: .backwards), Int(group[r.upperBound...]) != nil {
                group = String(group[..<r.lowerBound])
            }
            guard let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8) else { continue }
            let lines = text.split(separator: "\n")
            guard let header = lines.first?.split(separator: ",").map(String.init),
                  let a = header.firstIndex(of: "test_accuracy"), let l = header.firstIndex(of: "test_loss"),
                  let last = lines.dropFirst().last?.split(separator: ",", omittingEmptySubsequences: false),
                  last.count == header.count, let acc = Double(last[a]), let los = Double(last[l]) else { continue }
            accuracy[group, default: []].append(acc)
            loss[group, default: []].append(los)
        }
        self.accuracy = accuracy.mapValues(Sample.init)
        self.loss = loss.mapValues(Sample.init)
    }
}
