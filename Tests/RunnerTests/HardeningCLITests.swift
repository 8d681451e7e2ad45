import Foundation
import Results
import Testing

/// Faults a new user or a hostile tester meets, through the built binary: spec files that are
/// not what they seem, damaged and diverged results, numbering and exit statuses.
@Suite(.serialized) struct HardeningCLITests {
    static let small = ["--data-dir", TrainCommandTests.dataDir, "-j", "1", "--set", "epochs=2",
                        "--set", "train_subset=500", "--set", "test_subset=100", "--set", "hidden=[32]"]

    func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aByteOrderMarkIsAccepted() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try write("\u{FEFF}name: bom\nepochs: 2\nsweep:\n  dropout: [0.0, 0.5]\n", "bom.yaml", in: dir)
        let r = try Binary.run(["plan", path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("bom: 2 runs from "))
    }

    @Test func aPipeIsNotASpec() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("spec.yaml").path
        #expect(mkfifo(fifo, 0o644) == 0)
        for path in [fifo, "/dev/zero"] {
            let r = try Binary.run(["plan", path])
            #expect(r.status == 2)
            #expect(r.stderr == "\(path): error: is not a regular file (a pipe, device or socket); give a spec file\n")
        }
    }

    @Test func runsAreNumberedByTheirPlanIndexEverywhere() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Binary.run(["Tests/Fixtures/specs/comparison.yaml", "--results", dir.path] + Self.small
                               + ["--set", "lr=1000"])
        // Every run diverges: results, not failures.
        #expect(r.status == 0, "\(r.stderr)")
        for index in 0..<4 { #expect(r.stdout.contains("[comparison #\(index) "), "\(r.stdout)") }
        #expect(!r.stdout.contains("/4 "))
        #expect(r.stderr.hasPrefix("4 run(s) diverged (a result; see their status.json, --retry-diverged trains them again):\n  comparison #0 activation=sigmoid,dropout=0.0 ("))
    }

    @Test func divergedRunsAreResultsThatRerunsSkip() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["experiments/relu_dropout.yaml", "--results", dir.path] + Self.small + ["--set", "lr=1000"]
        let first = try Binary.run(args)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("DIVERGED in epoch 1"))
        let again = try Binary.run(args)
        #expect(again.status == 0)
        #expect(again.stdout.contains("diverged already (epoch 1); skipped"))
        #expect(!again.stdout.contains("] epoch 1/2"))
        let retried = try Binary.run(args + ["--retry-diverged"])
        #expect(retried.status == 0)
        #expect(retried.stdout.contains("DIVERGED in epoch 1"))
    }

    @Test func aDoneRunWithDamagedMetricsIsRetrainedWithAWarning() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["experiments/relu_dropout.yaml", "--results", dir.path] + Self.small
        #expect(try Binary.run(args).status == 0)
        let exp = dir.appendingPathComponent("relu_dropout")
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: exp.path).first { $0.count == 12 })
        let metrics = exp.appendingPathComponent("\(id)/metrics.csv")
        let good = try String(contentsOf: metrics, encoding: .utf8)
        try (good.split(separator: "\n").dropLast().joined(separator: "\n") + "\n").write(to: metrics, atomically: true, encoding: .utf8)
        let rerun = try Binary.run(args)
        #expect(rerun.status == 0)
        let kept = exp.appendingPathComponent("\(id)/set-aside-1")
        #expect(rerun.stderr == "runner: warning: [relu_dropout #0 relu_dropout] was marked finished but its metrics.csv "
            + "does not match the checksum in status.json; training it again\n"
            + "runner: warning: [relu_dropout #0 relu_dropout] is trained anew over figures of an earlier training (done "
            + "and retrained, or its status, config or checkpoint unreadable); they are kept in \(kept.path)\n")
        // The damaged figures are kept, not overwritten (issue 22): metrics, status and config.
        #expect(try String(contentsOf: kept.appendingPathComponent("metrics.csv"), encoding: .utf8)
                == good.split(separator: "\n").dropLast().joined(separator: "\n") + "\n")
        #expect(FileManager.default.fileExists(atPath: kept.appendingPathComponent("status.json").path))
        #expect(!rerun.stdout.contains("done already"))
        let retrained = try String(contentsOf: metrics, encoding: .utf8)
        #expect(retrained.split(separator: "\n").map { $0.split(separator: ",").dropLast() }
                == good.split(separator: "\n").map { $0.split(separator: ",").dropLast() })
        // Garbage where the metrics were: the same.
        try "\u{0}garbage".write(to: metrics, atomically: true, encoding: .utf8)
        #expect(try Binary.run(args).stderr.contains("training it again"))
    }

    @Test func versionNamesTheEngine() throws {
        for flag in ["--version", "-V"] {
            let r = try Binary.run([flag])
            #expect(r.status == 0)
            let lines = r.stdout.split(separator: "\n")
            #expect(lines.count == 2 && lines[0].hasPrefix("runner ") && lines[0].contains(" (commit "))
            #expect(lines[1].hasPrefix("engine: kernels: ") && lines[1].contains("; BLAS: "), "\(r.stdout)")
        }
    }

    @Test func aMistypedCommandGetsADidYouMean() throws {
        let r = try Binary.run(["plna", "Tests/Fixtures/specs/comparison.yaml"])
        #expect(r.status == 64)
        #expect(r.stderr == "runner: error: unknown command 'plna'; did you mean 'runner plan'? "
            + "(a spec is a file path such as experiments/plna.yaml)\n")
        // A spec path is still a spec path.
        #expect(try Binary.run(["experiments/nothere.yaml"]).status == 2)
    }

    /// A pruned sweep decides between runs at every rung: neither a Slurm array nor --index
    /// can run it, and both say so.
    @Test func prunedSweepsRefuseSlurmAndIndex() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("pruned.yaml").path
        try "validation: 100\nsamples: 3\nsweep:\n  lr: {log_uniform: [0.001, 0.1]}\nprune: {method: median, metric: val_loss}\n"
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let slurm = try Binary.run(["slurm", spec, "--results", dir.path + "/results"])
        #expect(slurm.status == 2 && slurm.stderr.contains("runner slurm does not run pruned sweeps (prune:) yet"), "\(slurm.stderr)")
        let index = try Binary.run([spec, "--index", "0", "--results", dir.path + "/results"])
        #expect(index.status == 2 && index.stderr.contains("--index trains single runs, but this spec prunes"), "\(index.stderr)")
    }

    @Test func summarizeFormatsAndSorts() throws {
        // On a copy of the committed results: summarize refreshes summary.csv and the charts.
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: Binary.repo.appendingPathComponent("results/comparison"),
                                         to: dir.appendingPathComponent("comparison"))
        let results = dir.appendingPathComponent("comparison").path
        let json = try Binary.run(["summarize", results, "--by-run", "--format", "json", "--sort", "final_test_accuracy"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let runs = try #require(object?["runs"] as? [[String: Any]])
        let accuracies = runs.compactMap { $0["final_test_accuracy"] as? Double }
        #expect(accuracies.count >= 4 && accuracies == accuracies.sorted(by: >))
        let md = try Binary.run(["summarize", results, "--by-run", "--format", "md"])
        #expect(md.stdout.contains("| # | id | name | status |") && md.stdout.contains("| 0 | `abe1d7788558` |"))
        let csv = try Binary.run(["summarize", results, "--by-run", "--format", "csv", "--sort", "final_test_loss"])
        #expect(csv.stdout.hasPrefix("index,id,name,"))
        let groups = try Binary.run(["summarize", results, "--format", "csv"])
        #expect(groups.stdout.hasPrefix("group,runs,done,diverged,final_test_accuracy_mean,"))
        #expect(groups.stdout.split(separator: "\n").count == 5)
        #expect(try Binary.run(["summarize", results, "--sort", "accuracy"]).status == 64)
    }

    @Test func batchSweepWorksFromAnyFolder() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try write("name: anywhere\nepochs: 1\ntrain_subset: 300\ntest_subset: 100\nhidden: [16]\n"
                      + "sweep:\n  dropout: [0.0, 0.5]\n", "my spec.yaml", in: dir)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Binary.repo.appendingPathComponent("scripts/batch-sweep.sh").path, "my spec.yaml", "2"]
        process.currentDirectoryURL = dir
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["RUNNER": Binary.url.path, "RUNNER_DATA_DIR": TrainCommandTests.dataDir]) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.hasPrefix("anywhere: 2 groups"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/anywhere/summary.csv").path))
    }

    @Test func eachRunRecordsHowItWasProducedAndSpecsAreKept() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try write("name: shared\nactivation: relu\n", "a.yaml", in: dir)
        let r = try Binary.run([a, "--results", dir.path + "/results"] + Self.small)
        #expect(r.status == 0, "\(r.stderr)")
        let exp = dir.appendingPathComponent("results/shared")
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: exp.path).first { $0.count == 12 })
        let data = try Data(contentsOf: exp.appendingPathComponent("\(id)/provenance.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let sessions = try #require(object?["sessions"] as? [[String: Any]])
        #expect(sessions.count == 1)
        let session = sessions[0]
        #expect((session["runner"] as? String)?.hasPrefix("0.") == true && (session["runner"] as? String)?.contains("commit") == true)
        #expect((session["engine"] as? String)?.hasPrefix("kernels: ") == true)
        #expect((session["command"] as? [String])?.contains(a) == true)
        #expect(session["host"] as? String == ProcessInfo.processInfo.hostName)
        #expect(session["outcome"] as? String == "done" && session["ended"] is String && session["started"] is String)
        let specs = try FileManager.default.contentsOfDirectory(atPath: exp.appendingPathComponent("specs").path).sorted()
        #expect(specs.count == 2 && specs.contains("sources.tsv"))
        // A second, different spec with the same name is refused before it writes anything.
        let b = try write("name: shared\nactivation: tanh\n", "b.yaml", in: dir)
        let clash = try Binary.run([b, "--results", dir.path + "/results"] + Self.small)
        #expect(clash.status == 2)
        #expect(clash.stderr.contains("already holds the results of \(URL(fileURLWithPath: a).resolvingSymlinksInPath().path), a different spec with the same experiment name"), "\(clash.stderr)")
        // Editing the first in place is not a clash.
        try "name: shared\nactivation: tanh\n".write(toFile: a, atomically: true, encoding: .utf8)
        #expect(try Binary.run([a, "--results", dir.path + "/results"] + Self.small).status == 0)
    }

    /// Two different specs of one name in one command: refused before anything is trained or
    /// written (exit 2 promises that), not after the first has trained.
    @Test func twoSpecsOfOneNameInOneCommandWriteNothing() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try write("name: t\nactivation: relu\n", "a.yaml", in: dir)
        let b = try write("name: t\nactivation: tanh\n", "b.yaml", in: dir)
        let r = try Binary.run([a, b, "--results", dir.path + "/results"] + Self.small)
        #expect(r.status == 2)
        #expect(r.stderr == "\(b): error: \(a) and this spec are different specs with the same experiment name, which would "
            + "share \(dir.path)/results/t; give one its own 'name:', or run them with --results DIR each\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/results"))
        // The same spec twice, or two copies of one text, share the folder as before.
        let copy = try write("name: t\nactivation: relu\n", "copy.yaml", in: dir)
        #expect(try Binary.run([a, copy, "--results", dir.path + "/results"] + Self.small).status == 0)
    }

    /// Two runners started together with two specs of one name: exactly one claims the name.
    /// The first stops itself having checked the name, before recording its spec (`claim`);
    /// the second, started then, must wait for it (which it says) and is then refused.
    @Test func twoRunnersClaimingOneNameAtOnceCannotBothWin() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try write("name: t\nactivation: relu\n", "a.yaml", in: dir)
        let b = try write("name: t\nactivation: tanh\n", "b.yaml", in: dir)
        let results = dir.path + "/results"
        let first = try Binary.start([a, "--results", results] + Self.small, environment: [TestPoint.variable: "stop:claim@1"])
        let firstErrors = Binary.read(first.err.fileHandleForReading, until: "runner: test point claim@1: stop")
        #expect(firstErrors.contains("runner: test point claim@1: stop"), "\(firstErrors)")
        let second = try Binary.start([b, "--results", results] + Self.small)
        let secondSoFar = Binary.read(second.err.fileHandleForReading, until: "runner: waiting for another runner")
        #expect(secondSoFar.contains("runner: waiting for another runner that is claiming an experiment in \(results)"),
                "\(secondSoFar)")
        Binary.waitUntilStopped(first.0)
        kill(first.0.processIdentifier, SIGCONT)
        _ = first.out.fileHandleForReading.readDataToEndOfFile()
        _ = second.out.fileHandleForReading.readDataToEndOfFile()
        let secondErr = secondSoFar + String(decoding: second.err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let firstErr = firstErrors + String(decoding: first.err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        first.0.waitUntilExit()
        second.0.waitUntilExit()
        #expect(first.0.terminationStatus == 0, "\(firstErr)")
        #expect(second.0.terminationStatus == 2)
        #expect(secondErr.contains("already holds the results of \(URL(fileURLWithPath: a).resolvingSymlinksInPath().path), "
            + "a different spec with the same experiment name"), "\(secondErr)")
        let sources = try String(contentsOfFile: results + "/t/specs/sources.tsv", encoding: .utf8)
        #expect(sources.split(separator: "\n").count == 1 && sources.contains("/a.yaml"))
    }

    @Test func aOneLetterResultsFolderWorks() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try write("name: r1\nepochs: 1\ntrain_subset: 50\ntest_subset: 10\nhidden: []\n", "s.yaml", in: dir)
        let r = try Binary.run([spec, "--results", "r", "--data-dir", TrainCommandTests.dataDir, "-q"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/r/r1/summary.csv"))
    }

    @Test func dataShowsWhatIsVerifiedAndFetches() throws {
        let ok = try Binary.run(["data", "--data-dir", TrainCommandTests.dataDir])
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(ok.stdout.contains("mnist: present and verified\n"))
        #expect(ok.stdout.components(separatedBy: ": verified").count - 1 >= 4)
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = try Binary.run(["data", "--data-dir", dir.path])
        #expect(empty.status == 3)
        #expect(empty.stdout.contains("mnist: NOT READY; run runner data fetch mnist --data-dir \(dir.path)\n  train-images-idx3-ubyte: missing"))
        // A file with the right name and the wrong bytes is not verified.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("mnist"), withIntermediateDirectories: true)
        try Data(repeating: 7, count: 100).write(to: dir.appendingPathComponent("mnist/t10k-labels-idx1-ubyte"))
        #expect(try Binary.run(["data", "--data-dir", dir.path]).stdout.contains("t10k-labels-idx1-ubyte: CHECKSUM MISMATCH"))
        #expect(try Binary.run(["data", "fetch", "cifar"]).status == 64)
    }

    /// Fashion-MNIST comes from Debian's package (scripts/setup.sh installs it when it can).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"),
                   "needs Debian's dataset-fashion-mnist"))
    func dataFetchPutsVerifiedFilesInPlace() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let fetched = try Binary.run(["data", "fetch", "fashion-mnist", "--data-dir", dir.path])
        #expect(fetched.status == 0, "\(fetched.stderr)")
        let status = try Binary.run(["data", "--data-dir", dir.path])
        #expect(status.stdout.contains("fashion-mnist: present and verified"))
    }

    @Test func compareReportsDifferencesWithIntervals() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try write("name: cmp\nepochs: 1\ntrain_subset: 300\ntest_subset: 100\nhidden: [16]\nlr: 0.1\nrepeats: 3\n"
                             + "sweep:\n  activation: [sigmoid, relu]\n", "cmp.yaml", in: dir)
        #expect(try Binary.run([spec, "--results", dir.path, "--data-dir", TrainCommandTests.dataDir, "-q"]).status == 0)
        let text = try Binary.run(["compare", dir.path + "/cmp", "--by", "activation"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("activation relu − sigmoid: "))
        #expect(text.stdout.contains(" points [") && text.stdout.hasSuffix(", n = 3 each (final_test_accuracy)\n"))
        let json = try Binary.run(["compare", dir.path + "/cmp", "--by", "activation", "--format", "json", "--metric", "final_test_loss"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let pair = try #require((object?["pairs"] as? [[String: Any]])?.first)
        #expect(pair["n_a"] as? Int == 3 && pair["p"] is Double && pair["figure"] as? String == "final_test_loss")
        let groups = try String(contentsOfFile: dir.path + "/cmp/groups.csv", encoding: .utf8)
        #expect(groups.split(separator: "\n").count == 3)
        let wrong = try Binary.run(["compare", dir.path + "/cmp", "--by", "dropout"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr == "runner compare: error: dropout does not vary between the groups of cmp; it can compare activation\n")
    }

    @Test func aValidationSplitWithSelectionMarksEpochsAndTheBestGroup() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try write("name: sel\nepochs: 3\ntrain_subset: 400\ntest_subset: 100\nvalidation: 200\nhidden: [16]\n"
                             + "lr: 0.1\nrepeats: 2\nselect: {metric: val_accuracy, goal: max}\n"
                             + "sweep:\n  activation: [sigmoid, relu]\n", "sel.yaml", in: dir)
        #expect(try Binary.run([spec, "--results", dir.path, "--data-dir", TrainCommandTests.dataDir, "-q"]).status == 0)
        let summary = try String(contentsOfFile: dir.path + "/sel/summary.csv", encoding: .utf8)
        let header = try #require(summary.split(separator: "\n").first)
        #expect(header.hasSuffix(",selected_epoch,selected_val_accuracy,test_accuracy_at_selected"))
        #expect(header.contains(",validation,"))
        let rows = summary.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        #expect(rows.count == 4 && rows.allSatisfy { Int($0[$0.count - 3]).map { (1...3).contains($0) } ?? false })
        let table = try Binary.run(["summarize", dir.path + "/sel"])
        #expect(table.stdout.contains("selected by val_accuracy (max) at each run's best epoch: * activation="), "\(table.stdout)")
        #expect(table.stdout.contains("final val acc"))
        // The validation figures are in every row of every run.
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/sel").first { $0.count == 12 })
        let metrics = try String(contentsOfFile: dir.path + "/sel/\(id)/metrics.csv", encoding: .utf8)
        #expect(metrics.split(separator: "\n").dropFirst().allSatisfy { !$0.contains(",,") })
    }
}
