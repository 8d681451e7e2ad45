import Foundation
import Testing

/// Adding a parameter must not re-id (and so retrain) results already on disk: the committed
/// results' folders are exactly the ids today's plans give their specs.
@Suite struct RunIdStabilityTests {
    @Test(arguments: [("experiments/comparison.yaml", "comparison"),
                      ("experiments/sigmoid_dropout_long.yaml", "sigmoid_dropout_long"),
                      ("experiments/comparison_validation.yaml", "comparison_validation"),
                      ("experiments/chapter.yaml", "chapter"),
                      ("experiments/lr_search.yaml", "lr_search"), ("experiments/lr_grid.yaml", "lr_grid"),
                      ("experiments/dropout_paper_pylearn2.yaml", "dropout_paper_pylearn2")])
    func committedResultsKeepTheirIds(spec: String, experiment: String) throws {
        let plan = try Binary.run(["plan", spec, "--format", "json"])
        #expect(plan.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        let ids = Set(((object?["runs"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        let folder = Binary.repo.appendingPathComponent("results/\(experiment)")
        let committed = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/config.json").path)
        })
        #expect(!committed.isEmpty)
        #expect(committed.isSubset(of: ids), "committed \(committed.sorted()), planned \(ids.sorted())")
        // And each is done as it stands: a rerun (on a copy) trains nothing, so it needs no data.
        let copy = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(at: folder, to: copy.appendingPathComponent(experiment))
        let rerun = try Binary.run([spec, "--results", copy.path, "--data-dir", "/nonexistent", "--quiet"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
    }

    /// A committed search: its plan's first batch is the journal's, its folders are exactly the
    /// journal's trials, and a rerun replays the journal and trains nothing (no data needed).
    @Test func theCommittedSearchKeepsItsTrials() throws {
        let plan = try Binary.run(["plan", "experiments/lr_search_tpe.yaml", "--format", "json"])
        #expect(plan.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any]
        let first = ((object?["runs"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }
        let folder = Binary.repo.appendingPathComponent("results/lr_search_tpe")
        let journal = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("search.json"))) as! [[String: Any]]
        let ids = journal.flatMap { $0["ids"] as! [String] }
        #expect(ids.count == 30 && first == Array(ids.prefix(10)))
        let committed = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/config.json").path)
        }
        #expect(Set(committed) == Set(ids))
        let copy = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(at: folder, to: copy.appendingPathComponent("lr_search_tpe"))
        let rerun = try Binary.run(["experiments/lr_search_tpe.yaml", "--results", copy.path, "--data-dir", "/nonexistent", "--quiet"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try Data(contentsOf: copy.appendingPathComponent("lr_search_tpe/search.json"))
            == Data(contentsOf: folder.appendingPathComponent("search.json")))
    }

    /// The runs on scikit-learn's datasets: their ids hold the CSVs' hashes, so the exported
    /// files (scripts/fetch-sklearn-data.sh, which scripts/test.sh runs where scikit-learn can be
    /// installed) must be byte for byte the ones they were trained on.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: Binary.repo.appendingPathComponent("data/sklearn/wine-test.csv").path),
                   "data/sklearn is not there (scripts/fetch-sklearn-data.sh)"),
          arguments: ["sklearn_digits", "sklearn_wine", "sklearn_breast_cancer", "sklearn_diabetes"])
    func committedRunsOnFilesKeepTheirIds(experiment: String) throws {
        try committedResultsKeepTheirIds(spec: "experiments/\(experiment).yaml", experiment: experiment)
    }
}
