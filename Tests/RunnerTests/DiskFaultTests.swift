import Foundation
import Testing

/// A results folder that is read-only or full: a clear error, a non-zero exit, and nothing
/// half-written left looking complete. Needs root to mount a small tmpfs (CI runs as root).
@Suite(.serialized) struct DiskFaultTests {
    static func sh(_ command: String) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    static let canMount: Bool = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mount-probe-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { _ = sh("umount \(dir); rmdir \(dir)") }
        return getuid() == 0 && sh("mount -t tmpfs -o size=64k tmpfs \(dir)") == 0
    }()

    /// Mounts a tmpfs of `size` (with extra mount options) on a fresh folder.
    func mount(size: String, options: String = "") throws -> URL {
        let dir = try Binary.temporaryDirectory()
        #expect(Self.sh("mount -t tmpfs -o size=\(size)\(options) tmpfs \(dir.path)") == 0)
        return dir
    }

    func unmount(_ dir: URL) {
        _ = Self.sh("umount \(dir.path)")
        try? FileManager.default.removeItem(at: dir)
    }

    static let small = ["Tests/Fixtures/specs/comparison.yaml", "--data-dir", TrainCommandTests.dataDir, "-j", "1",
                        "--set", "epochs=2", "--set", "train_subset=500", "--set", "test_subset=100",
                        "--set", "hidden=[32]"]

    @Test(.enabled(if: canMount, "needs root and tmpfs mounts"))
    func readOnlyResultsFolder() throws {
        let dir = try mount(size: "1m", options: ",ro")
        defer { unmount(dir) }
        let r = try Binary.run(Self.small + ["--results", dir.path])
        #expect(r.status == 4)
        #expect(r.stderr == "\(dir.path)/comparison: error: cannot write (Read-only file system); check free space and permissions\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
    }

    @Test(.enabled(if: canMount, "needs root and tmpfs mounts"))
    func fullDiskFailsRunsCleanly() throws {
        // Room for plans, configs and CSVs, not for a 200 KB checkpoint.
        let dir = try mount(size: "160k")
        defer { unmount(dir) }
        let r = try Binary.run(Self.small + ["--results", dir.path])
        #expect(r.status == 4)
        #expect(r.stdout.contains("FAILED: \(dir.path)/comparison/"))
        #expect(r.stdout.contains("checkpoint.bin: error: cannot write (No space left on device); check free space and permissions"))
        let all = FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? []
        #expect(all.filter { $0.hasSuffix(".tmp") || $0.hasSuffix("checkpoint.bin") } == [])
        // Whatever was written is whole: every metrics.csv parses, no status claims done.
        for file in all where file.hasSuffix("metrics.csv") {
            let text = try String(contentsOfFile: dir.path + "/" + file, encoding: .utf8)
            #expect(text.hasPrefix("epoch,train_loss,test_loss,test_accuracy,train_eval_loss,train_eval_accuracy,val_loss,val_accuracy,epoch_seconds\n") && text.hasSuffix("\n"))
        }
        for file in all where file.hasSuffix("status.json") {
            let text = try String(contentsOfFile: dir.path + "/" + file, encoding: .utf8)
            #expect(!text.contains("\"status\" : \"done\""))
            // The status counts exactly the epochs its metrics.csv holds.
            let metrics = try String(contentsOfFile: dir.path + "/" + file.replacingOccurrences(of: "status.json", with: "metrics.csv"),
                                     encoding: .utf8)
            let rows = metrics.split(separator: "\n").count - 1
            #expect(text.contains("\"epochs_done\" : \(rows),"), "\(text) vs \(rows) rows")
        }
    }
}
