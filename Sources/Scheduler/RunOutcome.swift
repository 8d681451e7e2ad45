/// How one run of a sweep ended in this invocation.
public enum RunOutcome: Sendable, Equatable {
    /// Trained every epoch.
    case done
    /// Already done with the identical config; not trained again.
    case skipped
    /// The loss became NaN or infinite in this epoch.
    case diverged(epoch: Int)
    /// The run threw; the reason is in its status record too.
    case failed(reason: String)
    /// Stopped by a signal or by --fail-fast; finished epochs are kept for the next invocation.
    case interrupted
    /// Another runner was training it (it holds the run's lock); left to that runner.
    case busy(pid: Int32?)

    /// True for outcomes that make the sweep exit non-zero.
    public var isFailure: Bool {
        switch self {
        case .diverged, .failed: true
        default: false
        }
    }
}
