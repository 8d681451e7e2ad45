import Foundation
import Results
import Scheduler
import Synchronization

func temporaryStore() throws -> RunStore {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("train-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return RunStore(directory: dir)
}

/// Events as short strings, in the order they arrived.
final class EventLog: Sendable {
    let lines = Mutex<[String]>([])
    func record(_ e: SchedulerEvent) {
        let line: String = switch e {
        case .started(let r, let resumed): "start \(r.index) +\(resumed)"
        case .finished(let r, let o): "end \(r.index) \(o)"
        default: ""
        }
        if !line.isEmpty { lines.withLock { $0.append(line) } }
    }
}
