import Foundation
import Statistics

/// Final figures of another program's runs of the same groups, for the report's "does the
/// engine reproduce the reference?" table: CSV files named `GROUP.csv` or `GROUP,seed=N.csv`
/// (GROUP as the groups are named, e.g. `activation=relu,dropout=0.5`), each with a header
/// naming `test_loss` and `test_accuracy` (classification) or `test_rmse` (regression) columns
/// and a row per epoch; the last row counts. bench/pytorch_seed.py writes such files.
public struct ReferenceRuns: Sendable {
    /// The columns read, and the run figure each is the reference's value of.
    static let columns: [(name: String, figure: Groups.Figure)] =
        [("test_accuracy", .finalTestAccuracy), ("test_rmse", .finalTestRMSE), ("test_loss", .finalTestLoss)]

    public var directory: String
    /// Figure → group name → its final values, one per file (seed).
    public var final: [Groups.Figure: [String: Sample]]

    /// The reference's samples of `figure`, by group (empty when its files do not have it).
    public func samples(_ figure: Groups.Figure) -> [String: Sample] { final[figure] ?? [:] }

    public init(directory: String) {
        self.directory = directory
        var values: [Groups.Figure: [String: [Double]]] = [:]
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".csv") }.sorted()
        for file in files {
            var group = String(file.dropLast(4))
            if let r = group.range(of: ",seed=", options: .backwards), Int(group[r.upperBound...]) != nil {
                group = String(group[..<r.lowerBound])
            }
            guard let text = try? String(contentsOfFile: directory + "/" + file, encoding: .utf8) else { continue }
            let lines = text.split(separator: "\n")
            guard let header = lines.first?.split(separator: ",").map(String.init),
                  header.contains("test_loss"), header.contains("test_accuracy") || header.contains("test_rmse"),
                  let last = lines.dropFirst().last?.split(separator: ",", omittingEmptySubsequences: false),
                  last.count == header.count else { continue }
            let found = ReferenceRuns.columns.compactMap { column in
                header.firstIndex(of: column.name).map { (column.figure, Double(last[$0])) }
            }
            guard found.allSatisfy({ $0.1 != nil }) else { continue }
            for (figure, value) in found { values[figure, default: [:]][group, default: []].append(value!) }
        }
        final = values.mapValues { $0.mapValues(Sample.init) }
    }
}
