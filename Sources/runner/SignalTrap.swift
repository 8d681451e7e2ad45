import Dispatch
import Foundation
import Scheduler

/// Turns SIGINT and SIGTERM into a cancellation: running runs stop at the next batch and mark
/// themselves interrupted. A second signal exits at once (finished epochs are on disk already).
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(cancellation: Cancellation, onFirst: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "runner.signals")
        sources = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler {
                if cancellation.isCancelled { exit(128 + sig) }
                cancellation.cancel()
                onFirst(sig)
            }
            source.resume()
            return source
        }
    }

    deinit { for s in sources { s.cancel() } }
}
