import Foundation
import Results
import Testing

/// Sweeps through the built binary: killing, stopping, resuming, one run by index.
@Suite(.serialized) struct SweepCommandTests {
    static let dataDir = TrainCommandTests.dataDir
    /// The comparison sweep made small: 4 runs of 3 short epochs on real MNIST.
    static let sweep = ["Tests/Fixtures/specs/comparison.yaml", "--data-dir", dataDir, "-j", "1",
                        "--set", "epochs=3", "--set", "train_subset=1500", "--set", "test_subset=300"]

    /// Every run folder's metrics.csv without the seconds column, keyed by run id.
    func figures(_ dir: URL, experiment: String = "comparison") throws -> [String: [String]] {
        let exp = dir.appendingPathComponent(experiment)
        var out: [String: [String]] = [:]
        for id in try FileManager.default.contentsOfDirectory(atPath: exp.path) where id.count == 12 && !id.contains(".") {
            let csv = try String(contentsOf: exp.appendingPathComponent("\(id)/metrics.csv"), encoding: .utf8)
            out[id] = csv.split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") }
        }
        return out
    }

    /// Every run folder's status.json text, keyed by run id. A folder without one (a kill
    /// after the lock was taken but before the first status was renamed in: only `.lock` and
    /// perhaps a temporary file) is a run still to train, keyed as "pending".
    func statuses(_ dir: URL) throws -> [String: String] {
        let exp = dir.appendingPathComponent("comparison")
        var out: [String: String] = [:]
        for id in try FileManager.default.contentsOfDirectory(atPath: exp.path) where id.count == 12 && !id.contains(".") {
            let path = exp.appendingPathComponent("\(id)/status.json").path
            out[id] = FileManager.default.fileExists(atPath: path) ? try String(contentsOfFile: path, encoding: .utf8) : "pending"
        }
        return out
    }

    /// For each run folder with a status: (epochs_done in status.json, rows in metrics.csv,
    /// seconds in status.json, the sum of the metrics' epoch_seconds).
    func counts(_ dir: URL) throws -> [String: (status: Int, rows: Int, seconds: Double, epochSeconds: Double)] {
        let exp = dir.appendingPathComponent("comparison")
        var out: [String: (Int, Int, Double, Double)] = [:]
        for (id, text) in try statuses(dir) where text != "pending" {
            let status = try JSONDecoder().decode(RunStatus.self, from: Data(text.utf8))
            let csv = try String(contentsOf: exp.appendingPathComponent("\(id)/metrics.csv"), encoding: .utf8)
            let rows = try #require(EpochMetrics.parse(csv: csv))
            out[id] = (status.epochsDone, rows.count, status.seconds, rows.map(\.epochSeconds).reduce(0, +))
        }
        return out
    }

    /// Files left behind that a finished sweep should not have.
    func leftovers(_ dir: URL) -> [String] {
        let all = FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? []
        return all.filter { $0.hasSuffix(".tmp") || $0.hasSuffix("checkpoint.bin") }
    }

    static let reference: Result<[String: [String]], Error> = Result {
        let dir = try Binary.temporaryDirectory()
        let r = try Binary.run(sweep + ["--results", dir.path])
        guard r.status == 0 else { throw CLIError(message: r.stderr) }
        return try SweepCommandTests().figures(dir)
    }

    struct CLIError: Error { var message: String }

    /// Where the kill tests kill the binary (`TestPoint`): batches spread over whole epochs
    /// (1,500 examples in batches of 32 are 47 batches an epoch: the first, the middle, the
    /// last before the evaluation; then mid-run, mid-sweep and the last run's last batch), and
    /// between every pair of writes a run makes: a folder holding only its lock, or only its
    /// lock and config.json's temporary file; config, metrics, status and checkpoint each
    /// before and after its rename.
    static let killPoints = [
        "batch@1", "batch@24", "batch@47", "batch@48", "batch@95", "batch@300", "batch@564",
        "locked@2", "temp:config.json@2", "write:config.json@2", "temp:metrics.csv@5", "write:metrics.csv@5",
        "temp:status.json@6", "write:status.json@6", "temp:checkpoint.bin@3", "write:checkpoint.bin@3",
    ]

    /// A kill at each point, then a rerun: every run done once, finished runs not recomputed,
    /// every figure equal to a clean run's, nothing half-written left.
    @Test(arguments: killPoints)
    func killedSweepResumes(at point: String) throws {
        let reference = try Self.reference.get()
        #expect(reference.count == 4)
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let killed = try Binary.run(Self.sweep + ["--results", dir.path], testPoint: "kill:" + point)
        #expect(killed.status == SIGKILL, "\(killed.stderr)")
        #expect(killed.stderr.contains("runner: test point \(point): kill"))
        // Each status counts the epochs on disk. It is rewritten right after every metrics.csv,
        // so only a kill between the two renames leaves it one behind.
        let betweenRenames = point.hasPrefix("write:metrics.csv") || point.hasPrefix("temp:status.json")
        for (id, c) in try counts(dir) {
            #expect(c.status == c.rows || (betweenRenames && c.status == c.rows - 1), "\(id): \(c)")
        }
        let before = try statuses(dir)
        let finished = before.filter { $0.value.contains("\"status\" : \"done\"") }
        #expect(finished.count < 4)
        // What the folder shows before the rerun: the killed run is not running any more.
        let summary = try Binary.run(["summarize", dir.appendingPathComponent("comparison").path, "--by-run"])
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(!summary.stdout.contains(" running "), "\(summary.stdout)")

        let rerun = try Binary.run(Self.sweep + ["--results", dir.path])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.components(separatedBy: "done already; skipped").count - 1 == finished.count)
        let after = try statuses(dir)
        for (id, status) in finished { #expect(after[id] == status, "finished run \(id) was recomputed") }
        #expect(after.values.allSatisfy { $0.contains("\"status\" : \"done\"") })
        #expect(try figures(dir) == reference)
        #expect(leftovers(dir) == [])
        let csv = try String(contentsOf: dir.appendingPathComponent("comparison/summary.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 5)
    }

    /// The same with AdamW and batch norm, whose checkpoints also carry the moments, the step
    /// count and the running statistics: a killed sweep's rerun gives a clean run's figures.
    static let adamSweep = sweep + ["--set", "optimizer=adamw", "--set", "batch_norm=true", "--set", "lr=0.001"]
    static let adamReference: Result<[String: [String]], Error> = Result {
        let dir = try Binary.temporaryDirectory()
        let r = try Binary.run(adamSweep + ["--results", dir.path])
        guard r.status == 0 else { throw CLIError(message: r.stderr) }
        return try SweepCommandTests().figures(dir)
    }

    /// Kills where a run is between its first and last epoch, so that a checkpoint is there to
    /// resume from: mid-epoch 2 of run 1 (batches 48-94), the middle of run 2's epoch 2
    /// (batches 189-235), and right after run 3's second checkpoint.
    @Test(arguments: ["batch@60", "batch@212", "write:checkpoint.bin@6"])
    func killedAdamBatchNormSweepResumes(at point: String) throws {
        let reference = try Self.adamReference.get(), sgd = try Self.reference.get()
        #expect(reference.count == 4 && reference != sgd)
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let killed = try Binary.run(Self.adamSweep + ["--results", dir.path], testPoint: "kill:" + point)
        #expect(killed.status == SIGKILL, "\(killed.stderr)")
        let checkpoints = leftovers(dir).filter { $0.hasSuffix("checkpoint.bin") }
        #expect(!checkpoints.isEmpty, "the kill left no checkpoint to resume from")
        let rerun = try Binary.run(Self.adamSweep + ["--results", dir.path])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("resum"), "\(rerun.stdout)")
        #expect(try figures(dir) == reference)
        #expect(leftovers(dir) == [])
    }

    @Test func sigtermStopsCleanlyAndTheRerunResumes() throws {
        let reference = try Self.reference.get()
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Stopped mid-way through run 1's second epoch; SIGTERM is delivered as it continues.
        let stopped = try Binary.run(Self.sweep + ["--results", dir.path], testPoint: "stop:batch@60") {
            kill($0.processIdentifier, SIGTERM)
        }
        #expect(stopped.status == 143)
        #expect(stopped.stderr.contains("stopping after the current batch"))
        let interrupted = try statuses(dir).values.filter { $0.contains("\"status\" : \"interrupted\"") }
        #expect(interrupted.count == 1)
        let rerun = try Binary.run(Self.sweep + ["--results", dir.path])
        #expect(rerun.status == 0)
        #expect(rerun.stdout.contains("resuming after epoch"))
        #expect(try figures(dir) == reference)
        // A resumed run's seconds count both sessions: at least its epochs' own seconds.
        for (id, c) in try counts(dir) { #expect(c.seconds >= c.epochSeconds - 0.01, "\(id): \(c)") }
        #expect(leftovers(dir) == [])
    }

    /// Two runners started on one results folder share the sweep out: each run trained by
    /// exactly one of them, never both, and the figures are a clean run's. The first stops
    /// itself in run 1's fifth batch (`TestPoint`), holding run 1's lock; the second trains
    /// runs 2-4 and then waits for run 1, which it says; then the first continues and finishes
    /// run 1. No step depends on how fast either is.
    @Test func twoRunnersOnOneFolderNeverTrainTheSameRun() throws {
        let reference = try Self.reference.get()
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = Self.sweep + ["--results", dir.path]
        let first = try Binary.start(args, environment: [TestPoint.variable: "stop:batch@5"])
        let firstErrors = Binary.read(first.err.fileHandleForReading, until: "runner: test point batch@5: stop")
        #expect(firstErrors.contains("runner: test point batch@5: stop"), "\(firstErrors)")
        let second = try Binary.start(args)
        let secondSoFar = Binary.read(second.out.fileHandleForReading, until: "is being trained by another runner")
        #expect(secondSoFar.contains("is being trained by another runner"), "\(secondSoFar)")
        Binary.waitUntilStopped(first.0)
        kill(first.0.processIdentifier, SIGCONT)
        let secondOut = secondSoFar + String(decoding: second.out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let firstOut = String(decoding: first.out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let secondErr = String(decoding: second.err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        first.0.waitUntilExit()
        second.0.waitUntilExit()
        #expect(first.0.terminationStatus == 0 && second.0.terminationStatus == 0, "\(firstErrors) \(secondErr)")
        // Each run is trained ("] done (final test accuracy ...)") by exactly one of the two:
        // run 1 by the first, the other three by the second.
        let trained = [firstOut, secondOut].map { $0.split(separator: "\n").filter { $0.contains("] done (final test accuracy") }.count }
        #expect(trained == [1, 3], "\([firstOut, secondOut])")
        #expect(try figures(dir) == reference)
        #expect(try statuses(dir).values.allSatisfy { $0.contains("\"status\" : \"done\"") })
    }

    @Test func indexTrainsExactlyOneRun() throws {
        let reference = try Self.reference.get()
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tsv = try Binary.run(["plan"] + Self.sweep.prefix(1) + Self.sweep.dropFirst(5) + ["--format", "tsv"])
        let id = String(tsv.stdout.split(separator: "\n")[3].split(separator: "\t")[1])
        let r = try Binary.run(Self.sweep + ["--results", dir.path, "--index", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        let runs = try figures(dir)
        #expect(Array(runs.keys) == [id])
        #expect(runs[id] == reference[id])
        let outside = try Binary.run(Self.sweep + ["--results", dir.path, "--index", "4"])
        #expect(outside.status == 2)
        #expect(outside.stderr == "Tests/Fixtures/specs/comparison.yaml: error: --index 4 is outside the plan's runs 0...3\n")
    }

    @Test func summarizePrintsTheTable() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Binary.run(Self.sweep + ["--results", dir.path, "--index", "0"])
        let r = try Binary.run(["summarize", dir.path, "--by-run"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first == "comparison: 4 runs")
        #expect(lines.count == 6)
        #expect(lines[2].contains("activation=sigmoid,dropout=0.0") && lines[2].contains("done"))
        #expect(lines[3].contains("pending"))
        // By group (the default): one done run of four groups, the others with none yet.
        let groups = try Binary.run(["summarize", dir.path]).stdout.split(separator: "\n")
        #expect(groups.first == "comparison: 4 groups (runs that differ only in seed; n = runs done, figures over them)")
        #expect(groups[2].hasPrefix("activation=sigmoid,dropout=0.0    1 ") && groups[3].hasPrefix("activation=sigmoid,dropout=0.5  0/1 "))
        let svg = try String(contentsOf: dir.appendingPathComponent("comparison/accuracy.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("activation=sigmoid,dropout=0.0"))
        #expect(try Binary.run(["summarize", dir.appendingPathComponent("nothing").path]).status == 2)
    }
}
