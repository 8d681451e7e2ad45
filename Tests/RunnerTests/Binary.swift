import Foundation
import Results

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

    /// A Python that imports `modules` ($`variable`, else .build/pyenv's), or nil.
    static func python(importing modules: String, variable: String) -> String? {
        let candidates = [ProcessInfo.processInfo.environment[variable],
                          repo.appendingPathComponent(".build/pyenv/bin/python").path].compactMap { $0 }
        return candidates.first { python in
            guard let probe = try? Process.run(URL(fileURLWithPath: python), arguments: ["-c", "import " + modules]) else { return false }
            probe.waitUntilExit()
            return probe.terminationStatus == 0
        }
    }

    /// Runs another program (a check script under Python) and waits: its exit status, and its
    /// standard output and error as one text.
    static func runTool(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// A Python with optuna ($RUNNER_OPTUNA_PYTHON, else .build/pyenv's), or nil.
    static let optunaPython = python(importing: "optuna", variable: "RUNNER_OPTUNA_PYTHON")

    /// One child at a time: the CLI tests train real networks, and on a 2-core machine several
    /// at once would make them slow and their kill points (SIGKILL after N epochs) crowded.
    private static let lock = NSLock()

    /// Runs `runner args` in `directory` and waits for it.
    static func run(_ args: [String], in directory: URL? = nil,
                    environment: [String: String] = [:]) throws -> Result {
        try drive(args, in: directory, environment: environment) { _, _, _ in }
    }

    /// Starts `runner args`, reads its output until `until` holds for what it printed so far,
    /// then sends `signal` and waits for it to end.
    static func interrupt(_ args: [String], signal: Int32,
                          until: @escaping (String) -> Bool) throws -> Result {
        var sent = false
        return try drive(args, in: nil, environment: [:]) { output, _, process in
            guard !sent, until(output) else { return }
            kill(process.processIdentifier, signal)
            sent = true
        }
    }

    /// Runs `runner args` with the test point `point` armed (`RUNNER_TEST_POINT`, see
    /// `TestPoint`), e.g. `kill:batch@12`: the binary kills or stops itself exactly there.
    /// A stopped binary gets `whenStopped` (say, a signal to deliver) and is then continued.
    static func run(_ args: [String], testPoint point: String, environment: [String: String] = [:],
                    whenStopped: @escaping (Process) -> Void = { _ in }) throws -> Result {
        var resumed = false
        return try drive(args, in: nil, environment: environment.merging([TestPoint.variable: point]) { $1 }) {
            _, errors, process in
            guard !resumed, point.hasPrefix("stop:"), errors.contains("runner: test point ") else { return }
            resumed = true
            waitUntilStopped(process)
            whenStopped(process)
            kill(process.processIdentifier, SIGCONT)
        }
    }

    /// Waits until `process` is stopped. The binary writes its test point's line just before it
    /// stops itself, so a SIGCONT sent on the line alone could come first and be lost.
    static func waitUntilStopped(_ process: Process) {
        var info = siginfo_t()
        while waitid(P_PID, id_t(process.processIdentifier), &info, WSTOPPED) != 0 && errno == EINTR {}
    }

    /// Starts `runner args` without waiting for it; the caller reads its pipes and waits.
    static func start(_ args: [String], environment: [String: String] = [:]) throws -> (Process, out: Pipe, err: Pipe) {
        let process = Process()
        process.executableURL = url
        process.arguments = args
        process.currentDirectoryURL = repo
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    /// Reads `handle` until `text` appears in what was read (or the end); returns what was read.
    static func read(_ handle: FileHandle, until text: String) -> String {
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains(text) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        return String(decoding: seen, as: UTF8.self)
    }

    /// Runs the binary to its end, calling `onOutput` with all of its standard output and
    /// standard error so far each time more of either arrives. Both pipes are drained as the
    /// child writes, so a chatty child never blocks on a full pipe.
    private static func drive(_ args: [String], in directory: URL?, environment: [String: String],
                              onOutput: @escaping (String, String, Process) -> Void) throws -> Result {
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
        // Each pipe is read on its own thread; every chunk goes to one serial queue, which
        // keeps both texts and calls onOutput.
        let serial = DispatchQueue(label: "binary.output")
        nonisolated(unsafe) let onOutput = onOutput
        nonisolated(unsafe) var texts = (out: Data(), err: Data())
        let group = DispatchGroup()
        for (handle, isErr) in [(out.fileHandleForReading, false), (err.fileHandleForReading, true)] {
            group.enter()
            DispatchQueue.global().async {
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    serial.sync {
                        if isErr { texts.err += chunk } else { texts.out += chunk }
                        onOutput(String(decoding: texts.out, as: UTF8.self), String(decoding: texts.err, as: UTF8.self),
                                 process)
                    }
                }
                group.leave()
            }
        }
        group.wait()
        process.waitUntilExit()
        return serial.sync {
            Result(status: process.terminationStatus, stdout: String(decoding: texts.out, as: UTF8.self),
                   stderr: String(decoding: texts.err, as: UTF8.self))
        }
    }

    /// A fresh, empty temporary folder.
    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("runner-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
