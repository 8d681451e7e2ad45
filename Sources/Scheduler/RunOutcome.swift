/// How one run of a sweep ended in this invocation.
public enum RunOutcome: Sendable, Equatable {
    /// Trained every epoch.
    case done
    /// Already done with the identical config (its files checked); not trained again.
    case skipped
    /// Diverged in an earlier invocation: a result, not trained again (unless retried).
    case skippedDiverged(epoch: Int)
    /// The loss blew up in this epoch (`Divergence`): a result, not a failure.
    case diverged(epoch: Int)
    /// Ended early by its early-stopping rule after `epoch`; `best` is its best epoch. A result.
    case stopped(epoch: Int, best: Int)
    /// Trained to `epoch`, a pruning rung, and paused there (resumable) for the rung's decision.
    case paused(epoch: Int)
    /// Pruned at the rung `epoch` by the sweep's `prune:` rule; its rows are kept.
    case pruned(epoch: Int)
    /// The run threw; the reason is in its status record too.
    case failed(reason: String)
    /// Its results could not be written (full disk, read-only folder, a planted link).
    case unwritable(reason: String)
    /// Stopped by a signal or by --fail-fast; finished epochs are kept for the next invocation.
    case interrupted
    /// Another runner was training it and had not finished when this one stopped waiting.
    case busy(pid: Int32?)

    /// True for outcomes that make the sweep exit non-zero: the run has no result.
    public var isFailure: Bool {
        switch self {
        case .failed, .unwritable: true
        default: false
        }
    }

    /// True when this invocation trained (some of) the run, so its figures changed.
    public var trained: Bool {
        switch self {
        case .skipped, .skippedDiverged, .busy: false
        default: true
        }
    }

    /// True for outcomes that stop a `--fail-fast` sweep: failures and divergence.
    public var stopsFailFast: Bool {
        switch self {
        case .failed, .unwritable, .diverged: true
        default: false
        }
    }
}
