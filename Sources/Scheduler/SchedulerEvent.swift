import Experiments
import Results

/// What a sweep reports as it goes: the progress display and the summary listen.
public enum SchedulerEvent: Sendable {
    /// A run starts training; `resumedEpochs` were already done by an earlier invocation.
    case started(Run, resumedEpochs: Int)
    /// `examples` of `total` training examples of `epoch` are done.
    case progress(Run, epoch: Int, examples: Int, total: Int)
    case epochFinished(Run, EpochMetrics)
    /// A run ended (or was skipped as already done).
    case finished(Run, RunOutcome)
    /// A run marked finished whose files disagree: it is trained again.
    case damaged(Run, reason: String)
    /// A run trained anew in a folder with earlier figures: they were kept in `folder`.
    case setAside(Run, folder: String)
    /// Another runner holds the run's lock; this one waits for it to finish (pid if known).
    case waiting(Run, pid: Int32?)
}

/// What an executor gets besides the run: whether to stop, and where to report.
public struct RunContext: Sendable {
    public let cancellation: Cancellation
    public let report: @Sendable (SchedulerEvent) -> Void
    /// Train from scratch even if a checkpoint could resume the run.
    public let force: Bool
    /// Train no further than this epoch for now (a pruning rung): the run pauses there,
    /// resumable, and the executor returns `.paused`. nil: to the run's last epoch.
    public let epochLimit: Int?

    public init(cancellation: Cancellation, force: Bool = false, epochLimit: Int? = nil,
                report: @escaping @Sendable (SchedulerEvent) -> Void) {
        self.cancellation = cancellation
        self.force = force
        self.epochLimit = epochLimit
        self.report = report
    }
}

/// Trains one run. The real one is `TrainingExecutor`; tests use scripted doubles.
public protocol RunExecutor: Sendable {
    /// Trains `run`, recording results as it goes.
    /// - Returns: `.done`, `.diverged` or `.interrupted` (never `.skipped`).
    /// - Throws: anything; the scheduler records it as the run's failure and carries on.
    func execute(_ run: Run, context: RunContext) throws -> RunOutcome
}
