import Foundation

/// Runs the built `runner` executable, as a user's shell would.
struct Binary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `runner` built beside this test bundle.
    static let url: URL = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("runner")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/runner")
    }()

    /// The repository root (for `experiments/`).
    static let repo = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// One child at a time: the CLI tests train real networks, and on a 2-core machine several
    /// at once would make them slow and their kill points (SIGKILL after N epochs) crowded.
    private static let lock = NSLock()

    /// Runs `runner args` in `directory` and waits for it.
    static func run(_ args: [String], in directory: URL? = nil,
                    environment: [String: String] = [:]) throws -> Result {
        try drive(args, in: directory, environment: environment) { _, _ in }
    }

    /// Starts `runner args`, reads its output until `until` holds for what it printed so far,
    /// then (after `delay` seconds) sends `signal` and waits for it to end.
    static func interrupt(_ args: [String], signal: Int32, delay: Double = 0,
                          until: @escaping (String) -> Bool) throws -> Result {
        var sent = false
        return try drive(args, in: nil, environment: [:]) { output, process in
            guard !sent, until(output) else { return }
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            kill(process.processIdentifier, signal)
            sent = true
        }
    }

    /// Runs the binary to its end, calling `onOutput` with all of its standard output so far
    /// each time more arrives. Both pipes are drained as the child writes, so a chatty child
    /// never blocks on a full pipe.
    private static func drive(_ args: [String], in directory: URL?, environment: [String: String],
                              onOutput: (String, Process) -> Void) throws -> Result {
        lock.lock()
        defer { lock.unlock() }
        let process = Process()
        process.executableURL = url
        process.arguments = args
        process.currentDirectoryURL = directory ?? repo
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errBytes = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBytes = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        var outData = Data()
        while true {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            outData += chunk
            onOutput(String(decoding: outData, as: UTF8.self), process)
        }
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errBytes, as: UTF8.self))
    }

    /// A fresh, empty temporary folder.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("runner-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
