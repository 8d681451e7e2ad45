import FlyingFox
import FlyingSocks
import Foundation
import Reporting
import Results

/// `runner ui`: a read-only web dashboard over a results folder, served by FlyingFox.
///
///     GET /                        every experiment: runs by state, its best group
///     GET /groups                  every group of every experiment, one sortable table
///     GET /content, /groups/content  those pages' content alone (what the live page swaps in)
///     GET /e/NAME                  an experiment: groups with intervals, curves with bands,
///                                  comparisons, the search's parallel coordinates, runs
///     GET /e/NAME/content          that page's content alone (what the live page swaps in)
///     GET /live?on=NAME            a WebSocket that says "changed" when NAME's folder (or,
///                                  with on=/, the root's) changes; polled twice a second
///
/// Nothing else: no endpoint writes; other methods are 405, other paths 404; an experiment is
/// only a folder `ResultsRoot` finds in the root. With a token (the server bound beyond
/// loopback) every request must carry `?token=`; without it, 403.
public final class DashboardServer: Sendable {
    public let root: ResultsRoot
    public let token: String?
    let server: HTTPServer

    /// - Parameters:
    ///   - host: an IPv4 address to bind (127.0.0.1 for loopback only).
    ///   - port: 0 for any free port (`listeningPort` says which).
    public init(root: ResultsRoot, host: String, port: UInt16, token: String?) throws {
        self.root = root
        self.token = token
        server = HTTPServer(address: try sockaddr_in.inet(ip4: host, port: port), timeout: 30, logger: .disabled)
    }

    /// How often the live socket looks at the folder.
    static let pollInterval: Duration = .milliseconds(500)

    public func run() async throws {
        let root = self.root, token = self.token, cache = PageCache()
        await server.appendRoute("*") { request in
            try await DashboardServer.respond(to: request, root: root, token: token, cache: cache)
        }
        try await server.run()
    }

    public func waitUntilListening() async throws {
        try await server.waitUntilListening()
    }

    public var listeningPort: UInt16? {
        get async {
            if case .ip4(_, let port) = await server.listeningAddress { return port }
            return nil
        }
    }

    static func html(_ text: String, status: HTTPStatusCode = .ok) -> HTTPResponse {
        HTTPResponse(statusCode: status, headers: [.contentType: "text/html; charset=utf-8", HTTPHeader("Cache-Control"): "no-store",
                                                    HTTPHeader("X-Content-Type-Options"): "nosniff"],
                     body: Data(text.utf8))
    }

    static func notFound() -> HTTPResponse { html("<!DOCTYPE html><title>not found</title><p>Not found.</p>\n", status: .notFound) }

    static func respond(to request: HTTPRequest, root: ResultsRoot, token: String?, cache: PageCache) async throws -> HTTPResponse {
        guard request.method == .GET else {
            return html("<!DOCTYPE html><title>read-only</title><p>This dashboard only reads.</p>\n", status: .methodNotAllowed)
        }
        if let token, request.query.first(where: { $0.name == "token" })?.value != token {
            return html("<!DOCTYPE html><title>token needed</title><p>Open the address runner ui printed, with its token.</p>\n",
                        status: .forbidden)
        }
        // The raw path, decoded once; anything that names no page is 404.
        let parts = request.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        switch parts.first ?? "" {
        case "" where parts.count <= 1:
            return html(Pages.frame(title: "experiments", root: root, token: token, live: "/",
                                    content: Pages.index(root, token: token, cache: cache)))
        case "content" where parts.count == 1:
            return html(Pages.index(root, token: token, cache: cache))
        case "groups" where parts.count == 2 && parts[1] == "content":
            return html(Pages.groups(root, token: token, cache: cache))
        case "groups" where parts.count == 1:
            return html(Pages.frame(title: "all groups", root: root, token: token, live: "/",
                                    content: Pages.groups(root, token: token, cache: cache)))
        case "e" where parts.count == 2 || (parts.count == 3 && (parts[2] == "content" || parts[2].isEmpty)):
            guard let store = root.store(named: parts[1]) else { return notFound() }
            if parts.count == 3 && parts[2] == "content" { return html(Pages.experiment(parts[1], store, cache: cache)) }
            return html(Pages.frame(title: parts[1], root: root, token: token, live: parts[1], content: Pages.experiment(parts[1], store, cache: cache)))
        case "live" where parts.count == 1:
            let on = request.query.first { $0.name == "on" }?.value ?? "/"
            let directory: String
            if on == "/" {
                directory = root.path
            } else {
                guard let store = root.store(named: on) else { return notFound() }
                directory = store.directory
            }
            return try await WebSocketHTTPHandler(handler: MessageFrameWSHandler(handler: LiveSocket(root: root, directory: on == "/" ? nil : directory)))
                .handleRequest(request)
        default:
            return notFound()
        }
    }
}

/// The live socket: "changed" each time the watched folder's fingerprint changes, until the
/// page goes away.
struct LiveSocket: WSMessageHandler {
    let root: ResultsRoot
    /// An experiment's folder, or nil for the whole root.
    let directory: String?

    func makeMessages(for client: AsyncStream<WSMessage>) async throws -> AsyncStream<WSMessage> {
        let root = self.root, directory = self.directory
        let (stream, continuation) = AsyncStream<WSMessage>.makeStream()
        let watcher = Task {
            var last = directory.map(FolderFingerprint.of) ?? FolderFingerprint.of(root: root)
            while !Task.isCancelled {
                try? await Task.sleep(for: DashboardServer.pollInterval)
                let now = directory.map(FolderFingerprint.of) ?? FolderFingerprint.of(root: root)
                if now != last {
                    last = now
                    continuation.yield(.text("changed"))
                }
            }
            continuation.finish()
        }
        // The page closing ends its stream: stop watching.
        Task {
            for await _ in client {}
            watcher.cancel()
        }
        continuation.onTermination = { _ in watcher.cancel() }
        return stream
    }
}
