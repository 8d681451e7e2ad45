import Experiments
import Foundation
import Synchronization

/// The checks of finished runs made in this process, each valid while the run's status.json
/// and metrics.csv are the same files with the same size and modification time, and the run
/// is the same (its id names its config). Only a finished run's check is kept: a run still
/// training changes its files anyway.
final class RecordCache: Sendable {
    static let shared = RecordCache()

    struct Key: Hashable {
        var id: String
        var path: String
        var files: [FileStamp]
    }

    private let known = Mutex<[String: (Key, RunStore.Record)]>([:])

    /// The key of `run`'s files now; nil when one of them is not there.
    static func key(run: Run, files: [String]) -> Key? {
        var stamps: [FileStamp] = []
        for path in files {
            guard let stamp = FileStamp(path: path) else { return nil }
            stamps.append(stamp)
        }
        return Key(id: run.id, path: files[0], files: stamps)
    }

    func record(for key: Key) -> RunStore.Record? {
        known.withLock { $0[key.path].flatMap { $0.0 == key ? $0.1 : nil } }
    }

    func remember(_ record: RunStore.Record, for key: Key) {
        switch record {
        case .done, .diverged, .stopped: known.withLock { $0[key.path] = (key, record) }
        case .unfinished, .damaged: break
        }
    }
}
