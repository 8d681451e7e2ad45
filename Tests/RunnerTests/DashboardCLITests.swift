import Foundation
import Testing

/// `runner ui` (issue 26, item 2): pages over a results folder, values escaped, paths confined
/// to it, read-only, a token beyond loopback; and in a real browser (headless Chromium through
/// the DevTools protocol, scripts/ui-browser-check.py) an experiment's page that follows a sweep
/// as it trains, without a reload.
@Suite(.serialized) struct DashboardCLITests {
    /// A `runner ui` started on a free port; stopped by `stop()`.
    final class Server {
        let process = Process()
        let port: Int
        let url: String
        /// What it wrote on standard error (a file: a pipe's reader would wait on every writer).
        let errors: URL

        init(_ arguments: [String]) throws {
            // A free port, asked of the kernel; the server is up when it accepts a connection.
            port = try Server.freePort()
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("runner-ui-\(UUID().uuidString).out")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let out = try FileHandle(forWritingTo: log)
            process.executableURL = Binary.url
            process.arguments = ["ui"] + arguments + ["--port", String(port)]
            errors = FileManager.default.temporaryDirectory.appendingPathComponent("runner-ui-\(UUID().uuidString).err")
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardOutput = out
            process.standardError = try FileHandle(forWritingTo: errors)
            try process.run()
            var up = false
            while !up && process.isRunning {
                up = (try? DashboardCLITests.request(port: port, "/does-not-exist").status) == 404
                    || (try? DashboardCLITests.request(port: port, "/does-not-exist").status) == 403
                if !up { usleep(50_000) }
            }
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(at: log)
            guard up, let start = text.range(of: "http://"), let end = text[start.upperBound...].firstIndex(of: " ") else {
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "runner ui said: \(text)"])
            }
            url = String(text[start.lowerBound..<end])
        }

        static func freePort() throws -> Int {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard bound else { throw POSIXError(.EADDRINUSE) }
            return Int(UInt16(bigEndian: address.sin_port))
        }

        /// SIGKILL: the test runner blocks SIGTERM, and children inherit a blocked signal.
        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// One HTTP/1.1 request with the target exactly as given (no client normalising `..`).
    static func request(port: Int, _ target: String, method: String = "GET") throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        let text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        _ = text.withCString { send(fd, $0, strlen($0), 0) }
        // Read the head, then Content-Length bytes of body (the server may keep the connection
        // open); a stalled server fails the read after 30 s instead of hanging the suite.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var response = [UInt8](), buffer = [UInt8](repeating: 0, count: 65536)
        let separator: [UInt8] = [13, 10, 13, 10]
        var bodyStart: Int?, length: Int?
        while true {
            if bodyStart == nil, let i = (0..<max(0, response.count - 3)).first(where: { Array(response[$0..<$0 + 4]) == separator }) {
                bodyStart = i + 4
                let head = String(decoding: response[0..<i], as: UTF8.self).lowercased()
                length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
            }
            if let bodyStart, let length, response.count >= bodyStart + length { break }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        let whole = String(decoding: response, as: UTF8.self)
        let status = Int(whole.split(separator: " ").dropFirst().first ?? "") ?? 0
        let body = bodyStart.map { String(decoding: response[min($0, response.count)...], as: UTF8.self) } ?? ""
        _ = whole
        return (status, body)
    }

    /// A trained experiment `t` under dir/results, its spec's comment hostile.
    func trained(_ dir: URL) throws -> URL {
        let spec = dir.appendingPathComponent("t.yaml")
        try "# <script>alert('spec')</script>\nname: t\ntrain_subset: 300\ntest_subset: 100\nepochs: 2\nhidden: [8]\nsweep:\n  activation: [relu, sigmoid]\n"
            .write(to: spec, atomically: true, encoding: .utf8)
        let results = dir.appendingPathComponent("results")
        let r = try Binary.run([spec.path, "--results", results.path, "--data-dir", TrainCommandTests.dataDir, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        return results
    }

    @Test func pagesAreEscapedConfinedAndReadOnly() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let results = try trained(dir)
        // A run name and a folder name that are markup, as a hand-edited or hostile folder could hold.
        let plan = results.appendingPathComponent("t/plan.json")
        let text = try String(contentsOf: plan, encoding: .utf8)
        try text.replacingOccurrences(of: "\"name\": \"activation=relu\"", with: "\"name\": \"<script>alert(1)</script>\"")
            .write(to: plan, atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: results.appendingPathComponent("t"), to: results.appendingPathComponent("<img src=x onerror=alert(2)>"))
        // An experiment-looking folder outside the root, and a link to it inside.
        let outside = dir.appendingPathComponent("outside")
        try FileManager.default.copyItem(at: results.appendingPathComponent("t"), to: outside)
        try FileManager.default.createSymbolicLink(at: results.appendingPathComponent("link"), withDestinationURL: outside)

        let server = try Server([results.path])
        defer { server.stop() }
        #expect(server.url.hasPrefix("http://127.0.0.1:"))
        let index = try Self.request(port: server.port, "/")
        #expect(index.status == 200 && index.body.contains("<a href=\"/e/t\">t</a>"))
        #expect(index.body.contains("&lt;img src=x onerror=alert(2)&gt;") && !index.body.contains("<img src=x"))
        let page = try Self.request(port: server.port, "/e/t")
        #expect(page.status == 200 && page.body.contains("<h2>Groups</h2>") && page.body.contains("<figure class=\"chart\""))
        #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.body.contains("<script>alert("))
        #expect(page.body.contains("# &lt;script&gt;alert(&#39;spec&#39;)&lt;/script&gt;"))
        #expect(try Self.request(port: server.port, "/e/t/content").body.hasPrefix("<h1>t</h1>"))
        #expect(try Self.request(port: server.port, "/groups").body.contains("<table id=\"all-groups\">"))
        // Nothing outside the root, however the path is spelled.
        // `..` in the path itself is resolved before routing (/e/.. is the root's index), never past the root.
        let up = try Self.request(port: server.port, "/e/..")
        #expect(up.status == 404 || up.body.contains("<table id=\"experiments\">"))
        for target in ["/e/%2e%2e", "/e/..%2f..%2fetc", "/e/t/../../outside", "/../../etc/passwd", "/e/link", "/e/outside",
                       "/e/t/metrics.csv", "/e/%2Fetc", "/e/.", "/e/t%00", "/live?on=../outside", "/e/t/x"] {
            #expect(try Self.request(port: server.port, target).status == 404, "\(target)")
        }
        // Read-only: no other method does anything.
        for method in ["POST", "PUT", "DELETE"] {
            #expect(try Self.request(port: server.port, "/e/t", method: method).status == 405, "\(method)")
        }
    }

    /// Pages are kept between requests until their experiment's folder changes: runs added to
    /// an experiment (its spec grown by a value and a seed, one more run trained by a second
    /// runner) show on the index (with the untrained ones as pending), the groups page and the
    /// experiment's page, each asked for before and after.
    @Test func keptPagesFollowTheFolder() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let results = try trained(dir)
        let server = try Server([results.path])
        defer { server.stop() }
        for target in ["/content", "/groups/content", "/e/t/content"] {
            let before = try Self.request(port: server.port, target)
            #expect(before.status == 200 && before.body.contains("activation=relu") && !before.body.contains("activation=tanh"), "\(target)")
        }
        // Runs, done, running, failed or diverged, other states.
        #expect(try Self.request(port: server.port, "/content").body.contains("<td>2</td><td>2</td><td>0</td><td>0</td><td>-</td>"))
        // The same spec, grown to 6 runs (a value and a seed more), of which one more is trained.
        let spec = dir.appendingPathComponent("t.yaml")
        try "name: t\ntrain_subset: 300\ntest_subset: 100\nepochs: 2\nhidden: [8]\nrepeats: 2\nsweep:\n  activation: [relu, sigmoid, tanh]\n"
            .write(to: spec, atomically: true, encoding: .utf8)
        let r = try Binary.run([spec.path, "--results", results.path, "--data-dir", TrainCommandTests.dataDir, "-q", "--index", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        for target in ["/content", "/groups/content", "/e/t/content"] {
            #expect(try Self.request(port: server.port, target).body.contains("activation=tanh"), "\(target)")
        }
        #expect(try Self.request(port: server.port, "/content").body.contains("<td>6</td><td>3</td><td>0</td><td>0</td><td>3 pending</td>"))
    }

    @Test func beyondLoopbackATokenIsRequired() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let results = try trained(dir)
        let server = try Server([results.path, "--host", "0.0.0.0"])
        defer { server.stop() }
        let token = try #require(server.url.components(separatedBy: "?token=").last)
        #expect(token.count == 32 && server.url.hasPrefix("http://0.0.0.0:"))
        #expect(try Self.request(port: server.port, "/").status == 403)
        #expect(try Self.request(port: server.port, "/e/t?token=wrong").status == 403)
        let page = try Self.request(port: server.port, "/e/t?token=\(token)")
        #expect(page.status == 200 && page.body.contains("href=\"/?token=\(token)\""))
        server.stop()
        let warning = (try? String(contentsOf: server.errors, encoding: .utf8)) ?? ""
        #expect(warning.contains("runner ui: warning: serving on 0.0.0.0"))
    }

    /// Headless Chromium opens an experiment's page while its sweep is stopped after the first
    /// epoch (a test point), the sweep goes on, and the page follows it: more points in the
    /// chart, the runs' states from running/pending to done, no reload. The screenshot lands in
    /// .build/ui-live.png for a person to look at.
    @Test(.enabled(if: ReportBrowserTests.chromium != nil, "no chromium here (scripts/test.sh installs Debian's when run as root)"))
    func aBrowserFollowsASweepLive() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("live.yaml")
        try "name: live\ntrain_subset: 1000\ntest_subset: 300\nepochs: 4\nhidden: [16]\nsweep:\n  activation: [relu, sigmoid]\n"
            .write(to: spec, atomically: true, encoding: .utf8)
        let results = dir.appendingPathComponent("results")
        let sweep = Process()
        sweep.executableURL = Binary.url
        sweep.arguments = [spec.path, "--results", results.path, "--data-dir", TrainCommandTests.dataDir, "-q", "-j", "1"]
        var environment = ProcessInfo.processInfo.environment
        environment["RUNNER_TEST_POINT"] = "stop:write:status.json@2"
        sweep.environment = environment
        let errors = Pipe()
        sweep.standardError = errors
        sweep.standardOutput = FileHandle.nullDevice
        try sweep.run()
        defer { kill(sweep.processIdentifier, SIGCONT); sweep.waitUntilExit() }
        // Stopped after the first epoch's status: wait for its line, then for the stop itself.
        var said = Data()
        while !String(decoding: said, as: UTF8.self).contains("runner: test point") {
            let chunk = errors.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            said += chunk
        }
        #expect(String(decoding: said, as: UTF8.self).contains("write:status.json@2: stop"))
        let server = try Server([results.path])
        defer { server.stop() }
        let python = ["/usr/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "python3"
        let screenshot = Binary.repo.appendingPathComponent(".build/ui-live.png").path
        let (status, report) = try Binary.runTool(python, [Binary.repo.appendingPathComponent("scripts/ui-browser-check.py").path,
                                                           server.url + "e/live", String(sweep.processIdentifier), screenshot])
        #expect(status == 0, "\(report)")
        #expect(report.contains("\"ok\": true") && report.contains("\"states\": [\"done\", \"done\"]"), "\(report)")
        #expect(FileManager.default.fileExists(atPath: screenshot))
    }
}
