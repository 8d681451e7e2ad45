import Foundation
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
        let r = try Binary.run(["experiments/comparison.yaml", "--results", dir.path] + Self.small
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
        #expect(rerun.stderr == "runner: warning: [relu_dropout #0 relu_dropout] was marked finished but its metrics.csv "
            + "does not match the checksum in status.json; training it again\n")
        #expect(!rerun.stdout.contains("done already"))
        let retrained = try String(contentsOf: metrics, encoding: .utf8)
        #expect(retrained.split(separator: "\n").map { $0.split(separator: ",").dropLast() }
                == good.split(separator: "\n").map { $0.split(separator: ",").dropLast() })
        // Garbage where the metrics were: the same.
        try "\u{0}garbage".write(to: metrics, atomically: true, encoding: .utf8)
        #expect(try Binary.run(args).stderr.contains("training it again"))
    }
}
