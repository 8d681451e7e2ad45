import Dispatch
import Foundation
import Scheduler

/// Turns SIGINT, SIGTERM, SIGHUP (the terminal closed, an ssh session lost) and SIGQUIT
/// (Ctrl-\) into a cancellation: running runs stop at the next batch and mark themselves
/// interrupted; the process exits with 128 + the signal. A second signal exits at once
/// (finished epochs are on disk already).
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(cancellation: Cancellation, onFirst: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "runner.signals")
        sources = SignalTrap.signals.map { sig in
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

    /// The signals that stop a sweep cleanly.
    static let signals = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// How the stop notice names a signal.
    static func name(_ sig: Int32) -> String {
        switch sig {
        case SIGINT: "interrupt"
        case SIGHUP: "hangup"
        case SIGQUIT: "quit"
        default: "terminate"
        }
    }
}
