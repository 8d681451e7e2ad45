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

        public init(jobs: Int = 1, force: Bool = false, failFast: Bool = false) {
            self.jobs = jobs
            self.force = force
            self.failFast = failFast
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

    /// Runs `runs` in order (with several jobs, started in order).
    /// - Returns: each run's outcome, in the order of `runs`; nil for runs never started
    ///   (after a cancellation or --fail-fast).
    public func run(_ runs: [Run]) -> [RunOutcome?] {
        let state = Mutex(State(outcomes: Array(repeating: nil, count: runs.count)))
        let worker: @Sendable () -> Void = { [self] in
            while true {
                let next: Int? = state.withLock { s in
                    guard !cancellation.isCancelled, s.next < runs.count else { return nil }
                    defer { s.next += 1 }
                    return s.next
                }
                guard let index = next else { return }
                let outcome = runOne(runs[index])
                state.withLock { $0.outcomes[index] = outcome }
                if outcome.isFailure && options.failFast { cancellation.cancel() }
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
        var outcomes: [RunOutcome?]
    }

    /// One run, with its failure caught and recorded.
    private func runOne(_ run: Run) -> RunOutcome {
        if !options.force && store.isDone(run) {
            events(.finished(run, .skipped))
            return .skipped
        }
        // Claim the run: another runner on the same results folder may be training it.
        let lock: RunLock
        do throws(RunLock.Failure) {
            lock = try RunLock.acquire(directory: store.path(of: run))
        } catch {
            let outcome: RunOutcome
            switch error {
            case .busy(let pid): outcome = .busy(pid: pid)
            case .unavailable(let why): outcome = .failed(reason: why.description)
            }
            events(.finished(run, outcome))
            return outcome
        }
        defer { withExtendedLifetime(lock) {} }
        // It may have finished while we waited for the lock.
        if !options.force && store.isDone(run) {
            events(.finished(run, .skipped))
            return .skipped
        }
        let context = RunContext(cancellation: cancellation, force: options.force, report: events)
        let outcome: RunOutcome
        do {
            outcome = try executor.execute(run, context: context)
        } catch {
            let reason = "\(error)"
            store.markFailed(run, reason: reason)
            outcome = .failed(reason: reason)
        }
        events(.finished(run, outcome))
        return outcome
    }
}
