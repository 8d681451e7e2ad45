import Crypto
import Foundation
import Testing

/// Issue 22's hostile inputs, through the binary: each class refused or escaped, nothing
/// crashes, nothing unsafe is written.
@Suite(.serialized) struct HostileInputTests {
    static let dataDir = TrainCommandTests.dataDir

    /// A folder with a tiny spec `t.yaml` (named `name`), trained once unless `train` is false.
    func folder(name: String = "t", train: Bool = true) throws -> URL {
        let dir = try Binary.temporaryDirectory()
        try "name: \(name)\nepochs: 1\ntrain_subset: 300\ntest_subset: 100\nhidden: [8]\nrepeats: 2\n"
            .write(to: dir.appendingPathComponent("t.yaml"), atomically: true, encoding: .utf8)
        if train {
            let r = try Binary.run(["t.yaml", "-q", "--data-dir", Self.dataDir], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
        }
        return dir
    }

    /// Flags that reach #SBATCH lines get the spec's checks: a newline cannot add a directive.
    @Test(arguments: [["--partition", "cpu\n#SBATCH --wrap=x"], ["--time", "abc"], ["--mem", "2G; id"],
                      ["--account", "a b"]])
    func slurmFlagsAreCheckedAsTheSpecsValues(_ flag: [String]) throws {
        let dir = try folder(train: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Binary.run(["slurm", "t.yaml"] + flag, in: dir)
        #expect(r.status == 64, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("Error: \(flag[0]) must be"), "\(r.stderr)")
        #expect(!r.stderr.contains("\n#SBATCH"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results").path))
    }

    /// A spec whose file name holds a newline: refused, no script written.
    @Test func aSpecNamedWithANewlineWritesNoScript() throws {
        let dir = try folder(train: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        let hostile = "x\ntouch PWNED\n.yaml"
        try FileManager.default.copyItem(at: dir.appendingPathComponent("t.yaml"), to: dir.appendingPathComponent(hostile))
        let r = try Binary.run(["slurm", hostile], in: dir)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("holds a control character"), "\(r.stderr)")
        let scripts = (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".sbatch") }
        #expect(scripts.isEmpty)
    }

    /// A hand-edited select.json with a script for a goal: an error, not HTML.
    @Test func aHostileSelectionIsRefused() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "{\"metric\":\"test_accuracy\",\"goal\":\"<script>alert('goal')</script>\"}"
            .write(to: dir.appendingPathComponent("results/t/select.json"), atomically: true, encoding: .utf8)
        for command in [["report", "results/t"], ["summarize", "results/t"], ["compare", "results/t", "--by", "seed"]] {
            let r = try Binary.run(command, in: dir)
            #expect(r.status == 2, "\(command): \(r.stderr)")
            #expect(r.stderr.hasPrefix("results/t/select.json: error: not a selection runner wrote"), "\(r.stderr)")
        }
        let html = (try? String(contentsOf: dir.appendingPathComponent("results/t/report.html"), encoding: .utf8)) ?? ""
        #expect(!html.contains("<script>alert"))
    }

    /// A reference CSV of a diverged run (nan) and huge figures: the report is written, no trap.
    @Test func nonFiniteReferenceFiguresDoNotCrashTheReport() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = dir.appendingPathComponent("ref")
        try FileManager.default.createDirectory(at: reference, withIntermediateDirectories: true)
        for (seed, row) in [(1, "1,nan,nan"), (2, "1,0.3,91.5"), (3, "1,1e308,inf")] {
            try "epoch,test_loss,test_accuracy\n\(row)\n"
                .write(to: reference.appendingPathComponent("t,seed=\(seed).csv"), atomically: true, encoding: .utf8)
        }
        let r = try Binary.run(["report", "results/t", "--reference", "ref"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/t/report.html").path))
    }

    /// Control characters from a spec are escaped in errors, never sent to the terminal raw.
    @Test func controlCharactersInErrorsAreEscaped() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "name: t\nactivation: \"\\e[31mrelu\"\n".write(to: dir.appendingPathComponent("t.yaml"), atomically: true, encoding: .utf8)
        let r = try Binary.run(["plan", "t.yaml"], in: dir)
        #expect(r.status == 2)
        #expect(!r.stderr.unicodeScalars.contains { $0.value == 0x1B }, "\(r.stderr)")
        #expect(r.stderr.contains("got '\\u{1B}[31mrelu'"), "\(r.stderr)")
    }

    /// SIGHUP (a lost terminal) and SIGQUIT stop a sweep as SIGTERM does: the run is marked
    /// interrupted, the exit status is 128 + the signal, and a rerun resumes it.
    @Test(arguments: [SIGHUP, SIGQUIT])
    func hangupAndQuitStopCleanly(_ sig: Int32) throws {
        let dir = try folder(train: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = [dir.appendingPathComponent("t.yaml").path, "--results", dir.appendingPathComponent("results").path,
                    "--data-dir", Self.dataDir, "--set", "epochs=2"]
        let stopped = try Binary.run(args, testPoint: "stop:batch@3") { kill($0.processIdentifier, sig) }
        #expect(stopped.status == 128 + sig, "\(stopped.stderr)")
        #expect(!stopped.stderr.contains("crashed"), "\(stopped.stderr)")
        let summary = try Binary.run(["summarize", dir.appendingPathComponent("results/t").path, "--by-run"])
        #expect(summary.stdout.contains(" interrupted "), "\(summary.stdout)")
        let rerun = try Binary.run(args)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let after = try Binary.run(["summarize", dir.appendingPathComponent("results/t").path, "--by-run"])
        #expect(after.stdout.components(separatedBy: " done ").count - 1 == 2, "\(after.stdout)")
    }

    /// A FIFO where a dataset file belongs: refused at once (it used to block forever).
    @Test func aFIFOInPlaceOfADataFileIsRefusedNotWaitedOn() throws {
        let dir = try folder(train: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("data/mnist")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for file in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            #expect(mkfifo(data.appendingPathComponent(file).path, 0o644) == 0)
        }
        let status = try Binary.run(["data", "--data-dir", "data"], in: dir)
        #expect(status.status == 3)
        #expect(status.stdout.contains("train-images-idx3-ubyte: unreadable (not a regular file"), "\(status.stdout)")
        let run = try Binary.run(["t.yaml", "--data-dir", "data"], in: dir)
        #expect(run.status == 3)
        #expect(run.stderr.hasSuffix("train-images-idx3-ubyte: error: not a regular file (a pipe, device, socket or folder); "
            + "run runner data fetch mnist to fetch a verified copy\n"), "\(run.stderr)")
    }

    /// A link planted where runner keeps a folder of its own inside an experiment's folder
    /// (specs/, slurm/, slurm/logs/): refused, nothing written through it.
    @Test(arguments: ["specs", "slurm"])
    func aLinkedFolderInsideAnExperimentIsNeverWrittenThrough(_ name: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outside = dir.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        let inside = dir.appendingPathComponent("results/t/\(name)")
        try? FileManager.default.removeItem(at: inside)
        try FileManager.default.createSymbolicLink(at: inside, withDestinationURL: outside)
        try "name: t\nepochs: 2\ntrain_subset: 300\ntest_subset: 100\nhidden: [8]\nrepeats: 2\n"
            .write(to: dir.appendingPathComponent("t.yaml"), atomically: true, encoding: .utf8)  // an edit: recorded anew
        let r = try Binary.run((name == "specs" ? ["t.yaml"] : ["slurm", "t.yaml"]) + ["--data-dir", Self.dataDir], in: dir)
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stderr.contains("it is a symbolic link"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == [])
    }

    /// `name: null` is not a name, a missing reference folder is an error, and a summary that
    /// cannot be written exits 4 as report does.
    @Test func nullNamesMissingReferencesAndUnwritableSummaries() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reference = try Binary.run(["report", "results/t", "--reference", "/nonexistent"], in: dir)
        #expect(reference.status == 64)
        #expect(reference.stderr.hasPrefix("Error: --reference /nonexistent: no such folder"), "\(reference.stderr)")
        // Read-only experiment folder (as root, chmod alone does not stop writes: replace
        // summary.csv with a folder, which no rename can replace).
        let summaryFile = dir.appendingPathComponent("results/t/summary.csv")
        try FileManager.default.removeItem(at: summaryFile)
        try FileManager.default.createDirectory(at: summaryFile.appendingPathComponent("x"), withIntermediateDirectories: true)
        let summary = try Binary.run(["summarize", "results/t"], in: dir)
        #expect(summary.status == 4, "\(summary.stderr)")
        #expect(summary.stdout.hasPrefix("t: 1 group"), "\(summary.stdout)")
    }

    /// A done run whose status.json or config.json cannot be read is trained anew, but its
    /// intact figures are kept aside and the user told, never overwritten without a word.
    @Test(arguments: ["status.json", "config.json"])
    func anUnreadableRecordNeverCostsTheFigures(_ file: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let exp = dir.appendingPathComponent("results/t")
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: exp.path).sorted().first { $0.count == 12 })
        let metrics = try String(contentsOf: exp.appendingPathComponent("\(id)/metrics.csv"), encoding: .utf8)
        try "{ not json".write(to: exp.appendingPathComponent("\(id)/\(file)"), atomically: true, encoding: .utf8)
        let r = try Binary.run(["t.yaml", "-q", "--data-dir", Self.dataDir], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("is trained anew over figures of an earlier training"), "\(r.stderr)")
        let kept = exp.appendingPathComponent("\(id)/set-aside-1/metrics.csv")
        #expect(try String(contentsOf: kept, encoding: .utf8) == metrics)
    }

    static var fashionPresent: Bool {
        FileManager.default.fileExists(atPath: dataDir + "/fashion-mnist/train-labels-idx1-ubyte")
            || FileManager.default.fileExists(atPath: dataDir + "/fashion-mnist/train-labels-idx1-ubyte.gz")
    }

    /// Fashion-MNIST's files in mnist/: valid IDX of the right shape, so they used to train
    /// silently; now the published checksums refuse them before training, exit 3.
    @Test(.enabled(if: fashionPresent, "needs data/fashion-mnist (scripts/setup.sh fetches it)"))
    func anotherDatasetsFilesAreRefusedBeforeTraining() throws {
        let dir = try folder(train: false)
        defer { try? FileManager.default.removeItem(at: dir) }
        let mnist = dir.appendingPathComponent("data/mnist")
        try FileManager.default.createDirectory(at: mnist, withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.dataDir + "/fashion-mnist") where !file.hasPrefix(".") {
            try FileManager.default.copyItem(atPath: Self.dataDir + "/fashion-mnist/" + file, toPath: mnist.appendingPathComponent(file).path)
        }
        let r = try Binary.run(["t.yaml", "--data-dir", "data"], in: dir)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("error: not the published mnist file (SHA-256 "), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/t").path))
    }

    /// A figure no run can have (an accuracy of -50), even with status.json's checksum redone
    /// to match: the run shows as damaged, and no group averages it.
    @Test func aTamperedFigureIsNeverAveraged() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let exp = dir.appendingPathComponent("results/t")
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: exp.path).sorted().first { $0.count == 12 })
        let metricsURL = exp.appendingPathComponent("\(id)/metrics.csv"), statusURL = exp.appendingPathComponent("\(id)/status.json")
        let metrics = try String(contentsOf: metricsURL, encoding: .utf8)
        var lines = metrics.split(separator: "\n").map(String.init)
        var cells = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        cells[3] = "-50.0000"
        lines[1] = cells.joined(separator: ",")
        let tampered = lines.joined(separator: "\n") + "\n"
        try tampered.write(to: metricsURL, atomically: true, encoding: .utf8)
        let digest = SHA256.hash(data: Array(tampered.utf8)).map { String(format: "%02x", $0) }.joined()
        let status = try String(contentsOf: statusURL, encoding: .utf8)
        let old = try #require(status.split(separator: "\"").first { $0.count == 64 })
        try status.replacingOccurrences(of: String(old), with: digest).write(to: statusURL, atomically: true, encoding: .utf8)
        let runs = try Binary.run(["summarize", "results/t", "--by-run"], in: dir)
        #expect(runs.stdout.contains(" damaged "), "\(runs.stdout)")
        #expect(!runs.stdout.contains("-50"), "\(runs.stdout)")
        // A rerun agrees: the run is trained again, the tampered files kept aside.
        let rerun = try Binary.run(["t.yaml", "--data-dir", Self.dataDir], in: dir)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("set-aside-1"), "\(rerun.stderr)")
        #expect(try String(contentsOf: exp.appendingPathComponent("\(id)/set-aside-1/metrics.csv"), encoding: .utf8) == tampered)
        let after = try Binary.run(["summarize", "results/t", "--by-run"], in: dir)
        #expect(!after.stdout.contains(" damaged ") && !after.stdout.contains("-50"), "\(after.stdout)")
    }
}
