import Foundation

/// How a run's figures were produced: one session per invocation that trained it (a resumed
/// run has several), in `<run>/provenance.json`.
public struct Provenance: Codable, Sendable, Equatable {
    public struct Session: Codable, Sendable, Equatable {
        /// `runner` release and commit, e.g. "0.4.0 (commit 1a2b3c4d5e6f)".
        public var runner: String
        /// The BLAS and kernels that ran, e.g. "BLIS 0.9.0 (zen3 kernels); weight step: fused AVX-512".
        public var engine: String
        /// The command line, as typed.
        public var command: [String]
        public var host: String
        public var started: String
        /// When the session ended (nil while it runs, or when it was killed).
        public var ended: String?
        /// How it ended: done, diverged, interrupted, failed.
        public var outcome: String?
        /// Epochs the run had when this session started.
        public var fromEpoch: Int
        /// A dataset of the user's files: each file as this session read it (nil for the
        /// shipped datasets, whose files are checked against their published checksums).
        public var data: [DataFile]?

        public init(runner: String, engine: String, command: [String], host: String, started: String,
                    fromEpoch: Int) {
            self.runner = runner
            self.engine = engine
            self.command = command
            self.host = host
            self.started = started
            self.fromEpoch = fromEpoch
        }

        enum CodingKeys: String, CodingKey {
            case runner, engine, command, host, started, ended, outcome, fromEpoch = "from_epoch", data
        }
    }

    /// One data file: where it was, how long, and its SHA-256 (the run's id holds the hashes).
    public struct DataFile: Codable, Sendable, Equatable {
        public var path: String
        public var bytes: Int
        public var sha256: String

        public init(path: String, bytes: Int, sha256: String) {
            self.path = path
            self.bytes = bytes
            self.sha256 = sha256
        }
    }

    public var sessions: [Session]

    /// What this process is, to be stamped on each run it trains (runner version and engine
    /// come from the caller, which knows them).
    public struct Stamp: Sendable {
        public var runner: String
        public var engine: String
        public var command: [String]
        public var host: String

        public init(runner: String, engine: String, command: [String] = CommandLine.arguments,
                    host: String = ProcessInfo.processInfo.hostName) {
            self.runner = runner
            self.engine = engine
            self.command = command
            self.host = host
        }
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }

    public static func read(_ path: String) -> Provenance? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(Provenance.self, from: data)
    }
}
