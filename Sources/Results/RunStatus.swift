import Foundation

/// A run's `status.json`: where it stands, why, and how long it has taken.
public struct RunStatus: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// Training now (or the process died: a later invocation resumes it).
        case running
        case done
        /// The run threw an error; `reason` says which.
        case failed
        /// The loss blew up (`Divergence`); `reason` names the epoch and the value. A result,
        /// like `done`: reruns skip it unless asked to retry.
        case diverged
        /// Stopped by Ctrl-C, SIGTERM or --fail-fast; completed epochs are kept.
        case interrupted
        /// Ended early by its `early_stopping` rule; `reason` names the best epoch. A result,
        /// like `done`, with fewer epochs.
        case stopped
        /// Left behind at a rung by the sweep's `prune:` rule (`reason` says which). Its rows and
        /// checkpoint are kept: a sweep of it without pruning resumes it.
        case pruned
    }

    public var state: State
    public var reason: String?
    /// Epochs whose figures are in metrics.csv.
    public var epochsDone: Int
    /// Epochs the run is configured for.
    public var epochs: Int
    /// Seconds spent training, summed over every invocation that worked on the run.
    public var seconds: Double
    /// When the run was first started and when this record was written (ISO 8601, UTC).
    public var started: String
    public var updated: String
    /// SHA-256 (hex) of the metrics.csv written with this record, so that a finished run is
    /// known to be intact; nil in records of earlier versions (their rows are still counted).
    public var metricsSHA256: String?

    enum CodingKeys: String, CodingKey {
        case state = "status", reason, epochsDone = "epochs_done", epochs, seconds, started, updated
        case metricsSHA256 = "metrics_sha256"
    }

    public init(state: State, reason: String? = nil, epochsDone: Int, epochs: Int, seconds: Double,
                started: String, updated: String, metricsSHA256: String? = nil) {
        self.metricsSHA256 = metricsSHA256
        self.state = state
        self.reason = reason
        self.epochsDone = epochsDone
        self.epochs = epochs
        self.seconds = seconds
        self.started = started
        self.updated = updated
    }

    /// The JSON text, keys sorted, one per line.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try! encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Reads a status file; nil when missing or unreadable.
    public static func read(_ path: String) -> RunStatus? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(RunStatus.self, from: data)
    }

    /// The current time as ISO 8601.
    public static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
