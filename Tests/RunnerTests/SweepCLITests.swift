import Foundation
import Testing

/// Sweeps through the built binary: killing, stopping, resuming, one run by index.
@Suite(.serialized) struct SweepCommandTests {
    static let dataDir = TrainCommandTests.dataDir
    /// The comparison sweep made small: 4 runs of 3 short epochs on real MNIST.
    static let sweep = ["Tests/Fixtures/specs/comparison.yaml", "--data-dir", dataDir, "-j", "1",
                        "--set", "epochs=3", "--set", "train_subset=1500", "--set", "test_subset=300"]

    /// Every run folder's metrics.csv without the seconds column, keyed by run id.
    func figures(_ dir: URL) throws -> [String: [String]] {
        let exp = dir.appendingPathComponent("comparison")
        var out: [String: [String]] = [:]
        for id in try FileManager.default.contentsOfDirectory(atPath: exp.path) where id.count == 12 && !id.contains(".") {
            let csv = try String(contentsOf: exp.appendingPathComponent("\(id)/metrics.csv"), encoding: .utf8)
            out[id] = csv.split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") }
        }
        return out
    }

    func statuses(_ dir: URL) throws -> [String: String] {
        let exp = dir.appendingPathComponent("comparison")
        var out: [String: String] = [:]
        for id in try FileManager.default.contentsOfDirectory(atPath: exp.path) where id.count == 12 && !id.contains(".") {
            out[id] = try String(contentsOf: exp.appendingPathComponent("\(id)/status.json"), encoding: .utf8)
        }
        return out
    }

    /// For each run folder: (epochs_done in status.json, rows in metrics.csv, seconds in
    /// status.json, the sum of the metrics' epoch_seconds).
    func counts(_ dir: URL) throws -> [String: (status: Int, rows: Int, seconds: Double, epochSeconds: Double)] {
        let exp = dir.appendingPathComponent("comparison")
        var out: [String: (Int, Int, Double, Double)] = [:]
        for (id, text) in try statuses(dir) {
            let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
            let csv = try String(contentsOf: exp.appendingPathComponent("\(id)/metrics.csv"), encoding: .utf8)
            let rows = csv.split(separator: "\n").dropFirst()
            out[id] = (json["epochs_done"] as? Int ?? -1, rows.count, json["seconds"] as? Double ?? -1,
                       rows.map { Double($0.split(separator: ",").last ?? "") ?? 0 }.reduce(0, +))
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

    /// SIGKILL at several points of a sweep (right after an epoch is reported, or a while
    /// into the next, mid-batch or mid-write), then a rerun: every run done once, finished
    /// runs not recomputed, every figure equal to a clean run's, nothing half-written left.
    @Test(arguments: [(2, 0.0), (4, 0.0), (7, 0.0), (1, 0.137), (5, 0.061)])
    func killedSweepResumes(afterEpochLines kills: Int, delay: Double) throws {
        let reference = try Self.reference.get()
        #expect(reference.count == 4)
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let killed = try Binary.interrupt(Self.sweep + ["--results", dir.path], signal: SIGKILL, delay: delay) { out in
            out.components(separatedBy: "] epoch ").count - 1 >= kills
        }
        #expect(killed.status == SIGKILL)
        // Each status counts the epochs on disk. It is rewritten right after every metrics.csv,
        // so only a kill in the instant between the two renames (possible with a delay) leaves
        // it one behind.
        for (id, c) in try counts(dir) {
            #expect(c.status == c.rows || (delay > 0 && c.status == c.rows - 1), "\(id): \(c)")
        }
        let before = try statuses(dir)
        let finished = before.filter { $0.value.contains("\"status\" : \"done\"") }
        #expect(finished.count < 4)

        let rerun = try Binary.run(Self.sweep + ["--results", dir.path])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.components(separatedBy: "done already; skipped").count - 1 == finished.count)
        let after = try statuses(dir)
        for (id, status) in finished { #expect(after[id] == status, "finished run \(id) was recomputed") }
        #expect(after.values.allSatisfy { $0.contains("\"status\" : \"done\"") })
        #expect(try figures(dir) == reference)
        #expect(leftovers(dir) == [])
        let summary = try String(contentsOf: dir.appendingPathComponent("comparison/summary.csv"), encoding: .utf8)
        #expect(summary.split(separator: "\n").count == 5)
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

    /// The kill must land while a run is between its first and last epoch, so that a checkpoint
    /// is there to resume from: right after run 1's second epoch line, or 40 ms into run 2's second
    /// epoch (an epoch of this small sweep takes about 80 ms in a debug build; the earlier 5 lines
    /// + 83 ms could land after run 2's last epoch, once the engine's debug build got fast).
    @Test(arguments: [(2, 0.0), (4, 0.04)])
    func killedAdamBatchNormSweepResumes(afterEpochLines kills: Int, delay: Double) throws {
        let reference = try Self.adamReference.get(), sgd = try Self.reference.get()
        #expect(reference.count == 4 && reference != sgd)
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let killed = try Binary.interrupt(Self.adamSweep + ["--results", dir.path], signal: SIGKILL, delay: delay) { out in
            out.components(separatedBy: "] epoch ").count - 1 >= kills
        }
        #expect(killed.status == SIGKILL)
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
        let stopped = try Binary.interrupt(Self.sweep + ["--results", dir.path], signal: SIGTERM) { out in
            out.contains("] epoch 1/3")
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
    /// exactly one of them, never both, and the figures are a clean run's.
    /// (A sweep long enough, 4 runs of 3 epochs on 6,000 examples, that the second runner is up
    /// before the first is through it even on a loaded machine.)
    @Test func twoRunnersOnOneFolderNeverTrainTheSameRun() throws {
        let sweep = Self.sweep + ["--set", "train_subset=6000"]
        let clean = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: clean) }
        #expect(try Binary.run(sweep + ["--results", clean.path, "--quiet"]).status == 0)
        let reference = try figures(clean)
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = sweep + ["--results", dir.path]
        let first = Process()
        first.executableURL = Binary.url
        first.arguments = args
        first.currentDirectoryURL = Binary.repo
        let firstOut = Pipe(), firstErr = Pipe()
        first.standardOutput = firstOut
        first.standardError = firstErr
        try first.run()
        // Start the second once the first is training its first run.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("] epoch 1/3") {
            let chunk = firstOut.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        let second = try Binary.run(args)
        seen += firstOut.fileHandleForReading.readDataToEndOfFile()
        first.waitUntilExit()
        let outputs = [String(decoding: seen, as: UTF8.self), second.stdout]
        let firstErrors = String(decoding: firstErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // At least one of them found a run the other was training (which one depends on timing),
        // waited for it, and counts it as done: both exit 0.
        #expect((second.stdout + outputs[0]).contains("is being trained by another runner"), "\(outputs)")
        #expect(second.status == 0 && first.terminationStatus == 0, "\(second.stderr) \(firstErrors)")
        // Each run is trained ("] done (final test accuracy ...)") by exactly one of the two.
        let trained = outputs.map { $0.split(separator: "\n").filter { $0.contains("] done (final test accuracy") }.count }
        #expect(trained.reduce(0, +) == 4, "\(outputs)")
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
