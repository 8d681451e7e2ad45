import Foundation
import Testing

/// `runner slurm` script generation (always) and a real job array on a local cluster (when
/// `RUNNER_SLURM_TESTS=1`, which scripts/test.sh sets after `scripts/slurm-local.sh start`).
@Suite(.serialized) struct SlurmCommandTests {
    static let small = ["--set", "epochs=1", "--set", "train_subset=1000", "--set", "test_subset=200"]

    func write(_ spec: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("sweep.yaml").path
        try spec.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func scriptHasTheArrayLogsAndResources() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try write("""
            name: sw
            sweep:
              lr: [0.1, 0.2, 0.3]
            slurm:
              time: "2:00:00"
              mem: 2G
              partition: gpu
              throttle: 5
            """, in: dir)
        let r = try Binary.run(["slurm", spec, "--results", dir.path, "--mem", "3G", "--account", "lab", "--throttle", "2"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let script = try String(contentsOfFile: dir.path + "/sw/slurm/sw.sbatch", encoding: .utf8)
        let directives = script.split(separator: "\n").filter { $0.hasPrefix("#SBATCH") }
        #expect(directives == [
            "#SBATCH --job-name=runner-sw", "#SBATCH --array=0-2%2",
            "#SBATCH --output=\(dir.path)/sw/slurm/logs/%x_%A_%a.out",
            "#SBATCH --error=\(dir.path)/sw/slurm/logs/%x_%A_%a.err",
            "#SBATCH --ntasks=1", "#SBATCH --cpus-per-task=1", "#SBATCH --time=2:00:00", "#SBATCH --mem=3G",
            "#SBATCH --partition=gpu", "#SBATCH --account=lab",
        ])
        #expect(script.contains("--index \"${tasks[$SLURM_ARRAY_TASK_ID]}\" --jobs 1 --quiet --results \(dir.path)"))
        #expect(script.contains("\ntasks=(\n  0\n  1\n  2\n)\n"))
        #expect(r.stdout.contains("submit with: sbatch \(dir.path)/sw/slurm/sw.sbatch"))
    }

    /// The script pins its plan (a digest each task checks) and every path as it was: an
    /// edited spec makes the task refuse rather than train another run.
    @Test func aTaskRefusesAPlanThatChangedSinceTheScript() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try write("name: pin\nsweep:\n  lr: [0.1, 0.2]\n", in: dir)
        let r = try Binary.run(["slurm", spec, "--results", "res", "--cpus", "4", "--runner", "/bin/sh"], in: dir,
                               environment: ["RUNNER_DATA_DIR": "mydata"])
        #expect(r.status == 0)
        #expect(r.stderr == "runner slurm: warning: --cpus 4 with 1 run(s) per task: a run trains on one core, "
            + "so 3 of them would sit idle; ask for --cpus 1 or --runs-per-task 4\n")
        let script = try String(contentsOfFile: dir.path + "/res/pin/slurm/pin.sbatch", encoding: .utf8)
        let exec = try #require(script.split(separator: "\n").last { $0.hasPrefix("exec ") })
        let plan = try Binary.run(["plan", spec, "--format", "json"])
        #expect(exec.contains("--results \(dir.path)/res --data-dir \(dir.path)/mydata --expect-plan "))
        let digest = String(exec.split(separator: " ").last!)
        #expect(digest.count == 12)
        // The task as Slurm would run it, before and after an edit of the spec.
        let task = ["pin.yaml", "--index", "0", "--expect-plan", digest, "--data-dir", TrainCommandTests.dataDir,
                    "--results", dir.path + "/res"] + Self.small
        try "name: pin\nsweep:\n  lr: [0.05, 0.1, 0.2]\n".write(toFile: spec, atomically: true, encoding: .utf8)
        let refused = try Binary.run(task.map { $0 == "pin.yaml" ? spec : $0 })
        #expect(refused.status == 2)
        #expect(refused.stderr.hasPrefix("\(spec): error: the plan is not the one this job was written for (digest \(digest), now "))
        #expect(plan.status == 0)
    }

    @Test func badSlurmSectionIsASpecError() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try write("slurm:\n  time: soon\n", in: dir)
        let r = try Binary.run(["slurm", spec], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr == """
            \(spec):2:9: error: slurm.time must be a time limit such as 30:00, 2:00:00 or 1-00:00:00, got 'soon'
              time: soon
                    ^

            """)
    }

    @Test func indexFromTheSchedulersEnvironment() throws {
        let out = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let args = ["Tests/Fixtures/specs/comparison.yaml", "--index", "env", "--results", out.path,
                    "--data-dir", TrainCommandTests.dataDir] + Self.small
        // Grid Engine counts from 1: SGE_TASK_ID=4 is run 3.
        let sge = try Binary.run(args, environment: ["SGE_TASK_ID": "4", "SLURM_ARRAY_TASK_ID": ""])
        #expect(sge.status == 0, "\(sge.stderr)")
        let folders = try FileManager.default.contentsOfDirectory(atPath: out.path + "/comparison").filter { $0.count == 12 && !$0.contains(".") }
        let plan = try Binary.run(["plan", "Tests/Fixtures/specs/comparison.yaml", "--format", "tsv"] + Self.small)
        let id3 = plan.stdout.split(separator: "\n")[4].split(separator: "\t")[1]
        #expect(folders == [String(id3)])
        let none = try Binary.run(args, environment: ["SLURM_ARRAY_TASK_ID": "", "SGE_TASK_ID": "", "PBS_ARRAY_INDEX": "",
                                                      "LSB_JOBINDEX": "", "JOB_COMPLETION_INDEX": "", "AWS_BATCH_JOB_ARRAY_INDEX": ""])
        #expect(none.status == 2)
        #expect(none.stderr.hasPrefix("runner: error: --index env: none of SLURM_ARRAY_TASK_ID, SGE_TASK_ID"))
    }

    @Test func anIndexBelowTheSchedulersBaseIsAnErrorNotATrap() throws {
        let blank = ["SLURM_ARRAY_TASK_ID": "", "PBS_ARRAY_INDEX": "", "LSB_JOBINDEX": "",
                     "JOB_COMPLETION_INDEX": "", "AWS_BATCH_JOB_ARRAY_INDEX": ""]
        for value in ["-9223372036854775808", "0", "-1"] {
            let r = try Binary.run(["Tests/Fixtures/specs/comparison.yaml", "--index", "env"],
                                   environment: blank.merging(["SGE_TASK_ID": value]) { $1 })
            #expect(r.status == 2, "SGE_TASK_ID=\(value): \(r.stderr)")
            #expect(r.stderr == "runner: error: --index env: SGE_TASK_ID=\(value) is not a valid 1-based array index\n")
        }
    }

    static var clusterEnabled: Bool { ProcessInfo.processInfo.environment["RUNNER_SLURM_TESTS"] == "1" }

    /// Waits until none of `jobs` is in the queue (at most `seconds`).
    func waitForJobs(_ jobs: [String], seconds: Int = 600) throws -> Bool {
        for _ in 0..<(seconds * 2) {
            let squeue = Process()
            squeue.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            squeue.arguments = ["squeue", "-h", "-j", jobs.joined(separator: ",")]
            let pipe = Pipe()
            squeue.standardOutput = pipe
            squeue.standardError = Pipe()
            try squeue.run()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            squeue.waitUntilExit()
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return true }
            Thread.sleep(forTimeInterval: 0.5)
        }
        return false
    }

    @Test(.enabled(if: clusterEnabled, "set RUNNER_SLURM_TESTS=1 with a cluster up (scripts/test.sh does)"))
    func jobArrayOnALocalClusterMatchesALocalRun() throws {
        let cluster = try Binary.temporaryDirectory(), local = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cluster); try? FileManager.default.removeItem(at: local) }
        let common = ["--data-dir", TrainCommandTests.dataDir] + Self.small
        let submitted = try Binary.run(["slurm", "Tests/Fixtures/specs/comparison.yaml", "--results", cluster.path,
                                        "--time", "10:00", "--submit"] + common)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let ids = submitted.stdout.split(separator: "\n").last!.split(separator: " ").compactMap { Int($0) }.map(String.init)
        #expect(ids.count == 2, "\(submitted.stdout)")
        #expect(try waitForJobs(ids))
        let localRun = try Binary.run(["Tests/Fixtures/specs/comparison.yaml", "--results", local.path, "-j", "2"] + common)
        #expect(localRun.status == 0)
        let sweep = SweepCommandTests()
        let onCluster = try sweep.figures(cluster), here = try sweep.figures(local)
        #expect(onCluster.count == 4)
        #expect(onCluster == here)
        // The dependent job refreshed the summary: every run done.
        let summary = try String(contentsOf: cluster.appendingPathComponent("comparison/summary.csv"), encoding: .utf8)
        #expect(summary.split(separator: "\n").dropFirst().allSatisfy { $0.contains(",done,1,") })
        // Nothing left to do: resubmitting submits nothing.
        let again = try Binary.run(["slurm", "Tests/Fixtures/specs/comparison.yaml", "--results", cluster.path, "--submit"] + common)
        #expect(again.stdout.contains("all 4 runs are done; nothing to submit"))
        // A lost run is the only one resubmitted.
        let lost = try FileManager.default.contentsOfDirectory(atPath: cluster.path + "/comparison")
            .filter { $0.count == 12 && !$0.contains(".") }.sorted()[0]
        try FileManager.default.removeItem(atPath: cluster.path + "/comparison/" + lost)
        let partial = try Binary.run(["slurm", "Tests/Fixtures/specs/comparison.yaml", "--results", cluster.path] + common)
        #expect(partial.stdout.contains("array of 1 task(s)"))
    }

    /// The debug build loads the toolchain's Swift runtime, which nodes lack: runner says so.
    @Test func aBinaryNeedingTheToolchainIsFlagged() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try write("name: libs\n", in: dir)
        let r = try Binary.run(["slurm", spec, "--results", dir.path], in: dir)
        #expect(r.status == 0)
        #expect(r.stderr.hasPrefix("runner slurm: warning: \(Binary.url.path) loads libraries from outside the system's library folders"),
                "\(r.stderr)")
        #expect(r.stderr.contains("libswiftCore.so") && r.stderr.contains("scripts/build-cluster.sh"))
        let system = try Binary.run(["slurm", spec, "--results", dir.path, "--runner", "/bin/sh"], in: dir)
        #expect(system.stderr == "")
    }

    /// A binary from scripts/build-cluster.sh (scripts/test.sh builds one and names it in
    /// RUNNER_CLUSTER_BINARY) loads only system libraries and trains on the local cluster.
    @Test(.enabled(if: clusterEnabled && ProcessInfo.processInfo.environment["RUNNER_CLUSTER_BINARY"] != nil,
                   "needs the cluster and RUNNER_CLUSTER_BINARY (scripts/test.sh sets both)"))
    func theClusterBuildTrainsOnTheCluster() throws {
        let binary = try #require(ProcessInfo.processInfo.environment["RUNNER_CLUSTER_BINARY"])
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try write("name: static\nepochs: 1\ntrain_subset: 200\ntest_subset: 50\nhidden: [8]\nrepeats: 2\n", in: dir)
        let submitted = try Binary.run(["slurm", spec, "--results", dir.path, "--data-dir", TrainCommandTests.dataDir,
                                        "--runner", binary, "--submit"], in: dir)
        #expect(submitted.status == 0)
        #expect(!submitted.stderr.contains("outside the system's library folders"), "\(submitted.stderr)")
        let ids = submitted.stdout.split(separator: "\n").last!.split(whereSeparator: { $0 == " " || $0 == "," })
            .compactMap { Int($0) }.map(String.init)
        #expect(try waitForJobs(ids))
        let summary = try String(contentsOf: dir.appendingPathComponent("static/summary.csv"), encoding: .utf8)
        #expect(summary.split(separator: "\n").dropFirst().filter { $0.contains(",done,1,") }.count == 2, "\(summary)")
    }

    /// Runs packed into tasks, tasks split into arrays no larger than the cluster allows.
    @Test func runsArePackedIntoTasksAndTasksIntoArrays() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try write("name: big\nrepeats: 25\n", in: dir)
        let r = try Binary.run(["slurm", spec, "--results", dir.path, "--runs-per-task", "4", "--cpus", "2",
                                "--max-array-size", "3", "--runner", "/bin/sh"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr == "")
        // 25 runs, 4 a task: 7 tasks; 3 tasks an array: arrays of 3, 3 and 1.
        #expect(r.stdout.split(separator: "\n").prefix(3) == [
            "wrote \(dir.path)/big/slurm/big.1.sbatch: array of 3 task(s) (0-2), 4 run(s) per task",
            "wrote \(dir.path)/big/slurm/big.2.sbatch: array of 3 task(s) (0-2), 4 run(s) per task",
            "wrote \(dir.path)/big/slurm/big.3.sbatch: array of 1 task(s) (0-0), 4 run(s) per task",
        ])
        let second = try String(contentsOfFile: dir.path + "/big/slurm/big.2.sbatch", encoding: .utf8)
        #expect(second.contains("#SBATCH --array=0-2\n") && second.contains("#SBATCH --cpus-per-task=2\n"))
        #expect(second.contains("\ntasks=(\n  12-15\n  16-19\n  20-23\n)\n"))
        #expect(second.contains("--jobs 2 --quiet"))
        let third = try String(contentsOfFile: dir.path + "/big/slurm/big.3.sbatch", encoding: .utf8)
        #expect(third.contains("\ntasks=(\n  24\n)\n"))
    }

    /// The local cluster allows 5 tasks an array (scripts/slurm-local.sh): a 12-run plan is
    /// three arrays, read from `scontrol show config`, and every run trains.
    @Test(.enabled(if: clusterEnabled, "set RUNNER_SLURM_TESTS=1 with a cluster up (scripts/test.sh does)"))
    func aPlanLargerThanTheClustersArrayLimitTrainsCompletely() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try write("name: many\nepochs: 1\ntrain_subset: 200\ntest_subset: 50\nhidden: [8]\nrepeats: 12\n", in: dir)
        // The limit is real: one array of 12 tasks is refused by this cluster.
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["sbatch", "--test-only", "--array=0-11", "--wrap", "true"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        try probe.run()
        probe.waitUntilExit()
        #expect(probe.terminationStatus != 0)
        let submitted = try Binary.run(["slurm", spec, "--results", dir.path, "--data-dir", TrainCommandTests.dataDir,
                                        "--time", "10:00", "--submit"], in: dir)
        #expect(submitted.status == 0, "\(submitted.stderr)")
        #expect(submitted.stdout.contains("many.3.sbatch: array of 2 task(s) (0-1), 1 run(s) per task"), "\(submitted.stdout)")
        let ids = submitted.stdout.split(separator: "\n").last!.split(whereSeparator: { $0 == " " || $0 == "," })
            .compactMap { Int($0) }.map(String.init)
        #expect(ids.count == 4, "\(submitted.stdout)")
        #expect(try waitForJobs(ids))
        let summary = try String(contentsOf: dir.appendingPathComponent("many/summary.csv"), encoding: .utf8)
        let rows = summary.split(separator: "\n").dropFirst()
        #expect(rows.count == 12 && rows.allSatisfy { $0.contains(",done,1,") }, "\(summary)")
    }

    /// A seeds: sweep on Slurm (issue 25, item 2), without a cluster: `runner slurm` writes the
    /// round the runs on disk stand at; array tasks (`--index` with the script's pinned plan)
    /// train it; the next `runner slurm` looks at it (seeds.json) and writes round 2, whose plan
    /// a round-1 task no longer matches; the next-round job's guard stops a round that did not finish.
    @Test func aSeedsSweepGoesRoundByRound() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = try write(SeedRoundsCLITests.spec, in: dir)
        let common = ["--results", dir.appendingPathComponent("results").path, "--data-dir", TrainCommandTests.dataDir]
        // One array a round, whatever a cluster here allows (nothing is submitted).
        let first = try Binary.run(["slurm", spec, "--max-array-size", "100"] + common)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("ad: round 1 of at most 4: 12 runs, 12 to train"), "\(first.stdout)")
        let script = try String(contentsOf: dir.appendingPathComponent("results/ad/slurm/ad-round1.sbatch"), encoding: .utf8)
        let digest = try #require(script.range(of: #"--expect-plan [0-9a-f]{12}"#, options: .regularExpression)).upperBound
        let pinned = String(script[script.index(digest, offsetBy: -12)..<digest])
        // The tasks of round 1, as the array would run them.
        let tasks = try Binary.run([spec, "--index", "0-11", "--expect-plan", pinned, "-q"] + common)
        #expect(tasks.status == 0, "\(tasks.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/ad/seeds.json").path))
        // The next-round job's command: round 1 looked at, round 2 written (3 more seeds a group).
        let second = try Binary.run(["slurm", spec, "--max-array-size", "100", "--after-round", "0"] + common)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.hasPrefix("ad: round 2 of at most 4: 24 runs, 12 to train"), "\(second.stdout)")
        let rounds = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("results/ad/seeds.json"))) as! [[String: Any]]
        #expect(rounds.count == 1 && (rounds[0]["next"] as! [String: Int]).values.allSatisfy { $0 == 6 })
        // The round 2 script's resubmit line is the user's command, without the job's guard.
        let script2 = try String(contentsOf: dir.appendingPathComponent("results/ad/slurm/ad-round2.sbatch"), encoding: .utf8)
        #expect(script2.contains("Resubmit after failures with the same command") && !script2.contains("after-round"))
        // A round-1 task started now is refused: its plan is not the round's.
        let stale = try Binary.run([spec, "--index", "0", "--expect-plan", pinned, "-q"] + common)
        #expect(stale.status == 2 && stale.stderr.contains(pinned), "\(stale.stderr)")
        // Round 2 did not train: the job after it does not submit it again.
        let stuck = try Binary.run(["slurm", spec, "--after-round", "1"] + common)
        #expect(stuck.status == 1 && stuck.stderr.contains("round 2's runs did not all finish"), "\(stuck.stderr)")
    }

    /// The same sweep submitted to the local cluster: round after round by the next-round jobs,
    /// until every comparison is decided; the rounds and every figure equal a local run's.
    @Test(.enabled(if: clusterEnabled, "set RUNNER_SLURM_TESTS=1 with a cluster up (scripts/test.sh does)"))
    func aSeedsSweepOnALocalClusterDecidesAsALocalRun() throws {
        let cluster = try Binary.temporaryDirectory(), local = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cluster); try? FileManager.default.removeItem(at: local) }
        let spec = try write(SeedRoundsCLITests.spec, in: cluster)
        let submitted = try Binary.run(["slurm", spec, "--results", cluster.path, "--data-dir", TrainCommandTests.dataDir,
                                        "--time", "10:00", "--submit"])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        // The chain ends when no job of the experiment is queued: the last next-round job found
        // every comparison decided and submitted nothing.
        var queued = true
        for _ in 0..<1200 where queued {
            let squeue = Process()
            squeue.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            squeue.arguments = ["squeue", "-h", "-o", "%j"]
            let pipe = Pipe()
            squeue.standardOutput = pipe
            try squeue.run()
            let names = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            squeue.waitUntilExit()
            queued = names.split(separator: "\n").contains { $0.hasPrefix("runner-ad") }
            if queued { Thread.sleep(forTimeInterval: 0.5) }
        }
        #expect(!queued)
        let localRun = try Binary.run([spec, "--results", local.path, "--data-dir", TrainCommandTests.dataDir, "-j", "2", "-q"])
        #expect(localRun.status == 0)
        let journal = try Data(contentsOf: cluster.appendingPathComponent("ad/seeds.json"))
        let localJournal = try Data(contentsOf: local.appendingPathComponent("ad/seeds.json"))
        #expect(journal == localJournal)
        #expect((try JSONSerialization.jsonObject(with: journal) as! [Any]).count >= 2)
        let sweep = SweepCommandTests()
        let here = try sweep.figures(local, experiment: "ad")
        let there = try sweep.figures(cluster, experiment: "ad")
        #expect(here.count >= 24 && there == here)
        let done = try Binary.run(["slurm", spec, "--results", cluster.path, "--data-dir", TrainCommandTests.dataDir])
        #expect(done.stdout.contains("every comparison decided or at its most seeds after"))
    }
}
