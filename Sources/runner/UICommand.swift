import ArgumentParser
import Dashboard
import Foundation

/// `runner ui [RESULTS] [--port 8787] [--host 127.0.0.1]`: the live dashboard (Dashboard).
struct UICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Serve a live dashboard of a results folder on 127.0.0.1 (read-only).",
        discussion: """
            Every experiment with its runs by state and best group; per experiment its groups \
            with intervals, curves with bands, comparisons, a search's parallel coordinates and \
            its runs; one page of every group across experiments. Open pages update within a \
            second of a run writing an epoch (a WebSocket tells them; no reload). Binds \
            loopback only; --host with another address prints a warning and a token that every \
            request must carry. Read-only: nothing it serves writes a file.
            """)

    @Argument(help: "The results folder (default: results).")
    var directory: String = "results"

    @Option(help: "The port (0: any free one).")
    var port: Int = 8787

    @Option(help: "The IPv4 address to bind (default 127.0.0.1, this machine only).")
    var host: String = "127.0.0.1"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be in 0...65535") }
    }

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            Output.error("\(directory): error: no such results folder; give the folder runs write to (default results)")
            throw ExitStatus.invalidInput.code
        }
        let loopback = host == "127.0.0.1" || host == "localhost"
        var token: String?
        if !loopback {
            var generator = SystemRandomNumberGenerator()
            token = (0..<4).map { _ in String(format: "%08x", UInt32.random(in: .min ... .max, using: &generator)) }.joined()
            Output.error("runner ui: warning: serving on \(host), beyond this machine: anyone who can reach it and has the "
                + "token sees these results; the token is in the address below")
        }
        let server: DashboardServer
        do {
            server = try DashboardServer(root: ResultsRoot(directory), host: host == "localhost" ? "127.0.0.1" : host,
                                         port: UInt16(port), token: token)
        } catch {
            Output.error("runner ui: error: cannot serve on \(host):\(port): \(error)")
            throw ExitStatus.invalidInput.code
        }
        // Ctrl-C and SIGTERM stop the server, whatever this process inherited (a parent that
        // ignores or blocks SIGTERM passes that on, and a server that cannot be stopped is a leak).
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        var stopping = sigset_t()
        sigemptyset(&stopping)
        sigaddset(&stopping, SIGINT)
        sigaddset(&stopping, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &stopping, nil)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: Error?
        Task {
            do { try await server.run() } catch { failure = error }
            done.signal()
        }
        Task {
            do {
                try await server.waitUntilListening()
                let bound = await server.listeningPort ?? UInt16(port)
                Output.out("runner ui: serving \(directory) at http://\(host):\(bound)/\(token.map { "?token=" + $0 } ?? "") (Ctrl-C to stop)\n")
            } catch {}
        }
        done.wait()
        if let failure {
            Output.error("runner ui: error: cannot serve on \(host):\(port): \(failure)")
            throw ExitStatus.invalidInput.code
        }
    }
}
