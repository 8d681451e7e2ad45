import Experiments
import Foundation
import Results
import Synchronization

/// Runs the runs of a plan: skips the ones already done, trains the others on `jobs` worker
/// threads (inline on the caller's thread when `jobs` is 1, which makes order and outcomes
/// deterministic for tests), isolates failures, and stops cleanly when cancelled.
public final class Scheduler: Sendable {
    public struct Options: Sendable {
        /// Runs trained at once.
        public var jobs: Int
        /// Train every run again, even those done.
        public var force: Bool
        /// Stop everything at the first failed or diverged run.
        public var failFast: Bool
        /// Train runs that diverged in an earlier invocation again (otherwise they are results).
        public var retryDiverged: Bool
        /// Seconds between two looks at a lock held by another runner.
        public var lockPoll: Double
        /// Train each run no further than this epoch for now (a pruning rung); nil: to the end.
        public var epochLimit: Int?

        public init(jobs: Int = 1, force: Bool = false, failFast: Bool = false, retryDiverged: Bool = false,
                    lockPoll: Double = 0.25, epochLimit: Int? = nil) {
            self.epochLimit = epochLimit
            self.jobs = jobs
            self.force = force
            self.failFast = failFast
            self.retryDiverged = retryDiverged
            self.lockPoll = lockPoll
        }
    }

    private let store: RunStore
    private let executor: any RunExecutor
    private let options: Options
    private let cancellation: Cancellation
    private let events: @Sendable (SchedulerEvent) -> Void

    /// - Parameters:
    ///   - store: where results live (to tell which runs are done).
    ///   - executor: trains one run.
    ///   - cancellation: set it (from a signal handler, say) to stop the sweep.
    ///   - events: called from worker threads; must be thread-safe.
    public init(store: RunStore, executor: any RunExecutor, options: Options, cancellation: Cancellation,
                events: @escaping @Sendable (SchedulerEvent) -> Void) {
        self.store = store
        self.executor = executor
        self.options = options
        self.cancellation = cancellation
        self.events = events
    }

    /// Runs `runs` in order (with several jobs, started in order). A run another runner is
    /// training is put off until the others are through, then waited for: when that runner
    /// finishes it, it counts as done here too; when that runner stops, this one trains it.
    /// - Returns: each run's outcome, in the order of `runs`; nil for runs never started
    ///   (after a cancellation or --fail-fast).
    public func run(_ runs: [Run]) -> [RunOutcome?] {
        let state = Mutex(State(outcomes: Array(repeating: nil, count: runs.count)))
        let worker: @Sendable () -> Void = { [self] in
            while true {
                let next: (index: Int, wait: Bool)? = state.withLock { s in
                    guard !cancellation.isCancelled else { return nil }
                    if s.next < runs.count {
                        defer { s.next += 1 }
                        return (s.next, false)
                    }
                    return s.deferred.popLast().map { ($0, true) }
                }
                guard let (index, wait) = next else { return }
                let outcome = runOne(runs[index], wait: wait)
                if case .busy = outcome, !wait {
                    state.withLock { $0.deferred.insert(index, at: 0) }
                    continue
                }
                state.withLock { $0.outcomes[index] = outcome }
                if outcome.stopsFailFast && options.failFast { cancellation.cancel() }
            }
        }
        if options.jobs <= 1 {
            worker()
        } else {
            let group = DispatchGroup()
            for _ in 0..<min(options.jobs, runs.count) {
                group.enter()
                let thread = Thread {
                    worker()
                    group.leave()
                }
                thread.stackSize = 8 << 20
                thread.start()
            }
            group.wait()
        }
        return state.withLock { $0.outcomes }
    }

    private struct State {
        var next = 0
        /// Runs another runner held, to wait for once the rest are through (last = next).
        var deferred: [Int] = []
        var outcomes: [RunOutcome?]
    }

    /// Whether the run needs no training: done, or diverged before (unless retried); a run
    /// whose files disagree with its status is reported and trained again.
    /// - Parameter report: report a damaged run (once: the check runs again under the lock).
    private func finishedAlready(_ run: Run, report: Bool = true) -> RunOutcome? {
        guard !options.force else { return nil }
        switch store.record(of: run) {
        case .done, .stopped: return .skipped
        case .diverged(let epoch): return options.retryDiverged ? nil : .skippedDiverged(epoch: epoch)
        case .damaged(let reason):
            if report { events(.damaged(run, reason: reason)) }
            return nil
        case .unfinished: return nil
        }
    }

    /// One run, with its failure caught and recorded.
    /// - Parameter wait: when another runner holds the run, wait for it (else return `.busy`).
    private func runOne(_ run: Run, wait: Bool) -> RunOutcome {
        if !wait, let outcome = finishedAlready(run) {
            events(.finished(run, outcome))
            return outcome
        }
        // Claim the run: another runner on the same results folder may be training it.
        var lock: RunLock?
        var announced = false
        while lock == nil {
            do throws(RunLock.Failure) {
                lock = try RunLock.acquire(directory: store.path(of: run))
                TestPoint.reached("locked")
            } catch {
                switch error {
                case .busy(let pid):
                    guard wait else { return .busy(pid: pid) }
                    if cancellation.isCancelled {
                        events(.finished(run, .busy(pid: pid)))
                        return .busy(pid: pid)
                    }
                    if !announced { events(.waiting(run, pid: pid)); announced = true }
                    Thread.sleep(forTimeInterval: options.lockPoll)
                case .unavailable(let why):
                    let outcome = RunOutcome.unwritable(reason: why.description)
                    events(.finished(run, outcome))
                    return outcome
                }
            }
        }
        defer { withExtendedLifetime(lock) {} }
        // It may have finished while we waited for the lock.
        if let outcome = finishedAlready(run, report: wait) {
            events(.finished(run, outcome))
            return outcome
        }
        let context = RunContext(cancellation: cancellation, force: options.force, epochLimit: options.epochLimit, report: events)
        let outcome: RunOutcome
        do {
            outcome = try executor.execute(run, context: context)
        } catch let error as AtomicFile.WriteError {
            store.markFailed(run, reason: error.description)
            outcome = .unwritable(reason: error.description)
        } catch {
            let reason = "\(error)"
            store.markFailed(run, reason: reason)
            outcome = .failed(reason: reason)
        }
        events(.finished(run, outcome))
        return outcome
    }
}
