import Foundation
import Testing

/// `runner export` (issue 26, item 1): TensorBoard event files and an MLflow file store that the
/// real tools read back equal to the results (scripts/check-exports.py: tensorboard's
/// EventAccumulator and server, tbparse, mlflow's client, when .build/pyenv has them);
/// exporting twice gives the same bytes; a folder's other files are left alone.
@Suite(.serialized) struct ExportCLITests {
    static let spec = """
        name: ex
        train_subset: 800
        test_subset: 200
        validation: 200
        epochs: 3
        hidden: [16]
        repeats: 2
        sweep:
          activation: [relu, sigmoid]

        """

    /// A Python with tensorboard, tbparse and mlflow ($RUNNER_EXPORT_PYTHON, else .build/pyenv's).
    static let python = Binary.python(importing: "tensorboard, tbparse, mlflow", variable: "RUNNER_EXPORT_PYTHON")

    /// Every file under `dir`, by its path inside it, with its bytes.
    func snapshot(_ dir: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey])!
        for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            files[String(url.path.dropFirst(dir.path.count))] = try Data(contentsOf: url)
        }
        return files
    }

    @Test func exportsAreReadBackByTheRealToolsAndAreStable() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("ex.yaml").path
        try Self.spec.write(toFile: spec, atomically: true, encoding: .utf8)
        let results = dir.appendingPathComponent("results").path
        let trained = try Binary.run([spec, "--results", results, "--data-dir", TrainCommandTests.dataDir, "-q"])
        #expect(trained.status == 0, "\(trained.stderr)")
        // Folders that already hold other things: those must be left as they are.
        let tb = dir.appendingPathComponent("tb"), mlruns = dir.appendingPathComponent("mlruns")
        for (folder, other, text) in [(tb, "other/notes.txt", "not runner's"),
                                      (mlruns, "0/meta.yaml", "artifact_location: file:///elsewhere\ncreation_time: 1\nexperiment_id: '0'\n"
                                        + "last_update_time: 1\nlifecycle_stage: active\nname: Default\n")] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(other).deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try text.write(to: folder.appendingPathComponent(other), atomically: true, encoding: .utf8)
        }
        let before = (try snapshot(tb), try snapshot(mlruns))
        let experiment = results + "/ex"
        let toTensorBoard = try Binary.run(["export", experiment, "--format", "tensorboard", "--output", tb.path])
        #expect(toTensorBoard.status == 0 && toTensorBoard.stdout.contains("ex: 4 runs to"), "\(toTensorBoard.stderr)")
        let toMLflow = try Binary.run(["export", experiment, "--format", "mlflow", "--output", mlruns.path])
        #expect(toMLflow.status == 0, "\(toMLflow.stderr)")
        let first = (try snapshot(tb), try snapshot(mlruns))
        for (path, bytes) in before.0 { #expect(first.0[path] == bytes, "\(path) changed") }
        for (path, bytes) in before.1 { #expect(first.1[path] == bytes, "\(path) changed") }
        // One event file per run and one for the experiment; a folder per MLflow run.
        #expect(first.0.keys.filter { $0.hasPrefix("/ex/") && $0.hasSuffix(".runner") }.count == 5)
        #expect(Set(first.1.keys.filter { $0.hasSuffix("/meta.yaml") && $0.split(separator: "/").count == 3 }.map { $0.split(separator: "/")[1] }).count == 4)
        // Again, and from the results root: the same bytes.
        #expect(try Binary.run(["export", results, "--format", "tensorboard", "--output", tb.path]).status == 0)
        #expect(try Binary.run(["export", results, "--format", "mlflow", "--output", mlruns.path]).status == 0)
        #expect(try snapshot(tb) == first.0)
        #expect(try snapshot(mlruns) == first.1)
        // An earlier export's files under other start times are replaced; a writer's own are kept.
        let runFile = try #require(first.0.keys.first { $0.hasPrefix("/ex/") && $0.split(separator: "/").count == 3 && !$0.contains(".hparams.") })
        let runFolder = tb.path + String(runFile[..<runFile.lastIndex(of: "/")!])
        let stale = [runFolder + "/events.out.tfevents.1.runner", tb.path + "/ex/events.out.tfevents.1.hparams.runner"]
        let own = runFolder + "/events.out.tfevents.1.myhost"
        for path in stale + [own] { try "old".write(toFile: path, atomically: true, encoding: .utf8) }
        #expect(try Binary.run(["export", experiment, "--format", "tensorboard", "--output", tb.path]).status == 0)
        #expect(stale.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
        #expect(try String(contentsOfFile: own, encoding: .utf8) == "old")
        try FileManager.default.removeItem(atPath: own)
        #expect(try snapshot(tb) == first.0)
        // Read back by the real readers: every value equal to metrics.csv, every parameter present.
        if let python = Self.python {
            let (status, text) = try Binary.runTool(python, [Binary.repo.appendingPathComponent("scripts/check-exports.py").path,
                                                             experiment, tb.path, mlruns.path])
            #expect(status == 0, "\(text)")
            #expect(text.contains("tensorboard: 4 runs, 96 scalars equal to metrics.csv"), "\(text)")
            #expect(text.contains("the HParams tab lists 4 sessions in 2 groups"), "\(text)")
            #expect(text.contains("4 runs in experiment 'ex', 96 metric points equal to metrics.csv"), "\(text)")
        }
        // Not a results folder: exit 2 and why.
        let wrong = try Binary.run(["export", dir.appendingPathComponent("nowhere").path, "--format", "mlflow", "--output", mlruns.path])
        #expect(wrong.status == 2 && wrong.stderr.contains("no such results folder"))
    }
}
