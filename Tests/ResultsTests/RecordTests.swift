import Experiments
import Foundation
import Testing
@testable import Results

/// A fresh, empty temporary folder.
func temporaryFolder() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("results-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// The repository root.
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Each file of a run folder is written and read by one type.
@Suite struct Records {
    func plan(_ text: String) throws -> Plan {
        try Plan(try ExperimentSpec.parse(.init(name: "r.yaml", text: text), defaultName: "r"))
    }

    @Test func aRunRecordReadsBackEqualAndIsWhatTheStoreChecks() throws {
        let store = RunStore(directory: try temporaryFolder())
        for run in try plan("sweep:\n  activation: [relu, tanh]\n  validation: [0, 100]\n  optimizer: [sgd, adamw]\n").runs {
            _ = try store.begin(run)
            #expect(store.record(ofID: run.id) == RunRecord(run))
            #expect(store.hasSameConfig(run))
            var other = run
            other.config.seed += 1
            #expect(!store.hasSameConfig(other))
        }
    }

    /// Every config.json committed under results/ (some written before later parameters
    /// existed) reads through the type, and its config hashes to its folder's id.
    @Test func everyCommittedRecordReadsAndKeepsItsId() throws {
        let results = repository + "/results"
        let files = (FileManager.default.enumerator(atPath: results)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix("/config.json") && !$0.hasPrefix("pytorch") }
        #expect(files.count > 100)
        for file in files {
            let record = try #require(RunRecord.read(results + "/" + file), "\(file)")
            #expect(Run.id(of: record.config) == record.id, "\(file)")
            let text = try String(contentsOfFile: results + "/" + file, encoding: .utf8)
            #expect(record.json == text, "\(file) is not written back as it was")
        }
    }

    @Test func aPlanRecordReadsBackAndALegacyFolderReadsItsTable() throws {
        let store = RunStore(directory: try temporaryFolder())
        let plan = try plan("sweep:\n  dropout: [0.0, 0.5]\n  seed: [1, 2]\n")
        try store.writePlan(plan)
        let record = try #require(PlanRecord.read(store))
        #expect(record == PlanRecord(plan))
        #expect(record.runs.map(\.config) == plan.runs.map(\.config))
        // A folder from before plan.json: plan.tsv's order, configs from the runs' records.
        _ = try store.begin(plan.runs[1])
        try FileManager.default.removeItem(atPath: store.file(RunStore.planRecordFile))
        let legacy = try #require(PlanRecord.read(store))
        #expect(legacy.runs.map(\.id) == plan.runs.map(\.id))
        #expect(legacy.runs.map(\.config) == [nil, plan.runs[1].config, nil, nil])
    }

    @Test func aStatusRecordReadsBack() throws {
        let status = RunStatus(state: .stopped, reason: "r", epochsDone: 3, epochs: 9, seconds: 1.5,
                               started: "a", updated: "b", metricsSHA256: "c")
        #expect(try JSONDecoder().decode(RunStatus.self, from: Data(status.json.utf8)) == status)
    }
}

@Suite struct Locks {
    @Test func aLockIsHeldWhileItsOwnerLivesAndNotAfter() throws {
        let dir = try temporaryFolder() + "/run"
        #expect(!RunLock.isHeld(directory: dir))
        var lock: RunLock? = try RunLock.acquire(directory: dir)
        #expect(RunLock.isHeld(directory: dir))
        // The probe never takes the lock away from its owner, nor blocks a later owner.
        #expect(throws: RunLock.Failure.self) { _ = try RunLock.acquire(directory: dir) }
        lock = nil
        #expect(!RunLock.isHeld(directory: dir))
        #expect(throws: Never.self) { _ = try RunLock.acquire(directory: dir) }
        withExtendedLifetime(lock) {}
    }
}

@Suite struct TestPoints {
    @Test func theVariableParses() {
        #expect(TestPoint.parse("kill:batch@12") == .init(action: .kill, point: "batch", count: 12))
        #expect(TestPoint.parse("stop:temp:config.json@2") == .init(action: .stop, point: "temp:config.json", count: 2))
        for bad in ["batch@1", "kill:batch", "kill:@1", "pause:batch@1", "kill:batch@0", "kill:batch@x"] {
            #expect(TestPoint.parse(bad) == nil, "\(bad)")
        }
        #expect(TestPoint.arm(environment: [TestPoint.variable: "kill:batch"]) != nil)
        #expect(TestPoint.arm(environment: [:]) == nil)
    }
}

@Suite struct AtomicWrites {
    @Test func aLinkAtTheTargetIsReplacedNotWrittenThrough() throws {
        let dir = try temporaryFolder()
        try "precious\n".write(toFile: dir + "/victim", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/status.json", withDestinationPath: dir + "/victim")
        try AtomicFile.write("new\n", to: dir + "/status.json")
        #expect(try String(contentsOfFile: dir + "/victim", encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: dir + "/status.json", encoding: .utf8) == "new\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["status.json", "victim"])
    }

    @Test func aFolderThatIsALinkIsRefused() throws {
        let dir = try temporaryFolder()
        try FileManager.default.createDirectory(atPath: dir + "/real", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/run", withDestinationPath: dir + "/real")
        #expect(throws: AtomicFile.WriteError.self) { try AtomicFile.requireRealDirectory(dir + "/run") }
    }
}

/// metrics.csv is read as the runner writes it: plain decimals only.
@Suite struct MetricsRows {
    @Test(arguments: ["inf", "nan", "-inf", "0x1p3", "1e3", "+5", " 5", "", "-50.0000", "100.0001"])
    func onlyWhatTheWriterWritesIsRead(_ cell: String) {
        let good = "1,0.50000000,0.40000000,90.0000,,,,,1.000"
        #expect(EpochMetrics(csvRow: Substring(good)) != nil)
        let bad = "1,0.50000000,0.40000000,\(cell),,,,,1.000"
        #expect(EpochMetrics(csvRow: Substring(bad)) == nil, "\(bad)")
    }
}

/// A regression run's metrics.csv: its own header, each loss with its RMSE, MAE and R², read
/// back bit for bit and as strictly as the classification file.
@Suite struct RegressionMetricsRows {
    @Test func aRegressionFileRoundTripsAndKeepsItsHeader() {
        let rows = (1...3).map { e in
            EpochMetrics(epoch: e, trainLoss: 3000.125, testLoss: 2900.5, test: .init(rmse: 53.85, mae: 44.125, r2: -0.25 * Double(e)),
                         epochSeconds: 0.5, trainEvalLoss: e == 2 ? nil : 2800, trainEval: e == 2 ? nil : .init(rmse: 52.9, mae: 43, r2: 0.5),
                         valLoss: 10, val: .init(rmse: 3.1622, mae: 2.5, r2: 1))
        }
        let text = EpochMetrics.csv(rows)
        #expect(text.hasPrefix(EpochMetrics.regressionHeader + "\n"))
        #expect(EpochMetrics.parse(csv: text) == rows)
        #expect(rows[0].figure("val_rmse") == 3.1622 && rows[2].figure("test_r2") == -0.75 && rows[1].figure("train_eval_mae") == nil)
        #expect(rows[0].figure("test_accuracy") == nil && rows[0].isRegression)
        // A run with no rows yet already has the header of its kind.
        #expect(EpochMetrics.csv([], regression: true) == EpochMetrics.regressionHeader + "\n")
        #expect(EpochMetrics.parse(csv: EpochMetrics.regressionHeader + "\n") == [])
    }

    @Test(arguments: ["-0.50000000,1.00000000,0.10000000", "0.50000000,-1.00000000,0.10000000", "0.50000000,1.00000000,1.00000001",
                      "nan,1.00000000,0.10000000", ",1.00000000,0.10000000"])
    func onlyFiguresARunCanHaveAreRead(_ errors: String) {
        let good = "1,2.00000000,0.25000000,0.50000000,0.40000000,-12.50000000,,,,,,,,,0.001"
        #expect(EpochMetrics(csvRow: Substring(good), layout: .regression)?.testErrors?.r2 == -12.5)
        let bad = "1,2.00000000,0.25000000,\(errors),,,,,,,,,0.001"
        #expect(EpochMetrics(csvRow: Substring(bad), layout: .regression) == nil, "\(bad)")
        // A loss without its errors (or errors without their loss) is not a row the writer writes.
        #expect(EpochMetrics(csvRow: "1,2.00000000,0.25000000,0.5,0.4,0.1,3.00000000,,,,,,,,0.001", layout: .regression) == nil)
        #expect(EpochMetrics(csvRow: "1,2.00000000,0.25000000,0.5,0.4,0.1,,1.0,1.0,0.5,,,,,0.001", layout: .regression) == nil)
    }
}

/// sources.tsv holds any path a file system allows, one line and one field each.
@Suite struct SpecArchiveTests {
    @Test func pathsWithTabsAndNewlinesRoundTrip() throws {
        let store = RunStore(directory: try temporaryFolder())
        let archive = SpecArchive(store: store)
        let odd = "/w/a\tb\nc\\d.yaml"
        try archive.record(path: odd, bytes: Array("name: t\n".utf8))
        try archive.record(path: "/w/plain.yaml", bytes: Array("name: t\nepochs: 2\n".utf8))
        #expect(archive.sources().map(\.path) == [odd, "/w/plain.yaml"])
        // Editing the odd spec in place is not "another spec with the same name".
        #expect(archive.conflict(path: odd, bytes: Array("name: t\nepochs: 3\n".utf8)) == nil)
        #expect(SpecArchive.unescape(SpecArchive.escape(odd)) == odd && !SpecArchive.escape(odd).contains("\n"))
    }

    @Test func aLinkedSpecsFolderIsRefused() throws {
        let root = try temporaryFolder(), outside = try temporaryFolder()
        let store = RunStore(directory: root)
        try FileManager.default.createSymbolicLink(atPath: root + "/specs", withDestinationPath: outside)
        #expect(throws: AtomicFile.WriteError.self) { try SpecArchive(store: store).record(path: "/s.yaml", bytes: [65]) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside) == [])
    }
}

/// The fast reader gives exactly the Doubles `Double(_:)` gives for what the writer writes.
@Suite struct FastMetricsReader {
    @Test func everyFormatTheWriterUsesReadsBitForBit() {
        var rng = SystemRandomNumberGenerator()
        var rows: [EpochMetrics] = []
        for e in 1...20_000 {
            func r(_ scale: Double) -> Double { Double.random(in: 0..<scale, using: &rng) }
            rows.append(EpochMetrics(epoch: e, trainLoss: r(30), testLoss: r(1e-3), testAccuracy: r(100), epochSeconds: r(5000),
                                     trainEvalLoss: e % 3 == 0 ? nil : r(2), trainEvalAccuracy: r(100),
                                     valLoss: e % 2 == 0 ? nil : r(1e9), valAccuracy: e % 2 == 0 ? nil : r(100)))
        }
        let text = EpochMetrics.csv(rows)
        let fast = EpochMetrics.parse(csv: text)
        // The reference: every field through Double(String), as the reader did before.
        let slow = text.split(separator: "\n").dropFirst().map { line -> [Double?] in
            line.split(separator: ",", omittingEmptySubsequences: false).map { $0.isEmpty ? nil : Double(String($0)) }
        }
        #expect(fast?.count == rows.count)
        for (row, fields) in zip(fast ?? [], slow) {
            let got: [Double?] = [Double(row.epoch), row.trainLoss, row.testLoss, row.testAccuracy, row.trainEvalLoss,
                                  row.trainEvalAccuracy, row.valLoss, row.valAccuracy, row.epochSeconds]
            #expect(got.map { $0?.bitPattern } == fields.map { $0?.bitPattern })
        }
        // More digits than the fast path takes, and a negative zero, still read as Double(_:) does.
        let long = "1,123456789012.12345678,-0.00000000,99.1234,,,,,1.000"
        let row = EpochMetrics(csvRow: Substring(long))
        #expect(row?.trainLoss == 123456789012.12345678 && row?.testLoss.sign == .minus)
    }
}

/// A finished status that its own rows contradict is damaged, not a result: the tampered
/// `stopped` and `diverged` statuses of issue 22.
@Suite struct StatusesTheRowsContradict {
    /// Six epochs whose validation loss improves for three, then stalls.
    let rows = [2.0, 1.5, 1.2, 1.3, 1.25, 1.4].enumerated().map { i, v in
        EpochMetrics(epoch: i + 1, trainLoss: v, testLoss: v, testAccuracy: 90, epochSeconds: 1,
                     trainEvalLoss: v, trainEvalAccuracy: 90, valLoss: v, valAccuracy: 90)
    }
    let rule = EarlyStopping(metric: .valLoss, patience: 2)

    func check(_ state: RunStatus.State, _ count: Int, epochs: Int, rule: EarlyStopping?) -> RunStore.Record {
        let text = EpochMetrics.csv(Array(rows.prefix(count)))
        let status = RunStatus(state: state, epochsDone: count, epochs: epochs, seconds: 1, started: "", updated: "",
                               metricsSHA256: RunStore.sha256(text))
        return RunStore.check(status, metrics: Array(text.utf8), epochs: epochs, earlyStopping: rule)
    }

    @Test func theRuleDecidesWhereAStoppedRunEnds() {
        #expect(rule.firstStop(rows.map { $0.valLoss! }) == 5)
        #expect(check(.stopped, 5, epochs: 10, rule: rule) == .stopped(epoch: 5))
        #expect(check(.stopped, 4, epochs: 10, rule: rule)
                == .damaged(reason: "it is marked stopped after epoch 4, where its early_stopping rule does not stop"))
        #expect(check(.stopped, 6, epochs: 10, rule: rule)
                == .damaged(reason: "it is marked stopped after epoch 6, where its early_stopping rule stops after epoch 5"))
        #expect(check(.stopped, 3, epochs: 10, rule: rule)
                == .damaged(reason: "it is marked stopped after epoch 3, where its early_stopping rule does not stop"))
        #expect(check(.stopped, 5, epochs: 10, rule: nil) == .damaged(reason: "it is marked stopped but has no early_stopping rule"))
    }

    @Test func aDoneRunTheRuleWouldHaveStoppedIsDamaged() {
        #expect(check(.done, 6, epochs: 6, rule: nil) == .done)
        #expect(check(.done, 6, epochs: 6, rule: rule)
                == .damaged(reason: "it is marked done, but its early_stopping rule stops after epoch 5"))
        // The rule is only asked before the last epoch: a stop there would be the end anyway.
        #expect(check(.done, 5, epochs: 5, rule: rule) == .done)
        #expect(check(.done, 4, epochs: 4, rule: EarlyStopping(metric: .valLoss, patience: 1)) == .done)
    }

    @Test func nothingDivergesOrStopsAfterItsLastEpoch() {
        #expect(check(.diverged, 3, epochs: 6, rule: nil) == .diverged(epoch: 4))
        #expect(check(.diverged, 6, epochs: 6, rule: nil) == .damaged(reason: "it is marked diverged after 6 epochs, all of its 6"))
        #expect(check(.stopped, 5, epochs: 5, rule: rule) == .damaged(reason: "it is marked stopped after 5 epochs, all of its 5"))
    }
}
