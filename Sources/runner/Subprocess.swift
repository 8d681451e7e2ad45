import Foundation

/// Runs a program found on PATH and collects what it prints: the one place the CLI starts
/// helper processes (git, scontrol, ldd, sbatch).
enum Subprocess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// - Returns: nil when the program cannot be started (not installed).
    static func run(_ arguments: [String]) -> Result? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        guard (try? process.run()) != nil else { return nil }
        // Drain stderr on another thread so that a chatty program never blocks on a full pipe.
        nonisolated(unsafe) var errors = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errors = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: text, stderr: String(decoding: errors, as: UTF8.self))
    }

    /// Standard output of a program that succeeded, or nil.
    static func output(_ arguments: [String]) -> String? {
        guard let r = run(arguments), r.status == 0 else { return nil }
        return r.stdout
    }
}
