import Experiments
import Foundation
import Results
import SpecYAML
import Vocabulary

/// A `search:` spec's sweep: TPE proposes a batch of `parallel` trials from every trial finished
/// before it, the batch trains (any `--jobs`; with `prune:`, rung by rung inside the batch), and
/// so on until `trials` have run. Each batch's proposals are written to the results folder's
/// `search.json` before its runs start, and replayed, not proposed again, when an interrupted
/// search resumes: the search goes on exactly as it would have. (Proposals are a pure function
/// of the finished trials and their streams, so a replay gives what proposing again would; the
/// journal is the record, and a check against a spec changed under it.)
public final class SearchScheduler {
    /// One batch as search.json records it: each trial's sampled values in canonical text and
    /// its run id.
    public struct Batch: Codable, Sendable, Equatable {
        public var trials: [[String: String]]
        public var ids: [String]
    }

    public static let journalFile = "search.json"

    /// Why the search could not go on.
    public enum SearchError: Error, CustomStringConvertible {
        case unwritable(AtomicFile.WriteError)
        case spec(YAMLError)
        case journal(String)
        public var description: String {
            switch self {
            case .unwritable(let e): e.description
            case .spec(let e): e.description
            case .journal(let message): message
            }
        }
    }

    private let spec: ExperimentSpec
    private let search: Search
    private let selection: Selection
    private let store: RunStore
    private let executor: any RunExecutor
    private let options: Scheduler.Options
    private let cancellation: Cancellation
    private let events: @Sendable (SchedulerEvent) -> Void
    private let maxRuns: Int, memoryLimit: Double

    public init(spec: ExperimentSpec, store: RunStore, executor: any RunExecutor, options: Scheduler.Options,
                cancellation: Cancellation, maxRuns: Int = Plan.defaultMaxRuns, memoryLimit: Double = Plan.defaultMemoryLimit,
                events: @escaping @Sendable (SchedulerEvent) -> Void) {
        precondition(spec.search != nil && spec.selection != nil, "a search spec (Plan checks its rules)")
        self.spec = spec
        search = spec.search!
        selection = spec.selection!
        self.store = store
        self.executor = executor
        self.options = options
        self.cancellation = cancellation
        self.maxRuns = maxRuns
        self.memoryLimit = memoryLimit
        self.events = events
    }

    /// The batches recorded so far in `store` (none when the file is missing).
    /// - Throws: `.journal` when the file is there but unreadable.
    public static func journal(in store: RunStore) throws(SearchError) -> [Batch] {
        guard let data = FileManager.default.contents(atPath: store.file(SearchScheduler.journalFile)) else { return [] }
        do { return try JSONDecoder().decode([Batch].self, from: data) } catch {
            throw .journal("\(store.file(SearchScheduler.journalFile)): not a search journal (\(error)); move it aside to start "
                + "the search again")
        }
    }

    /// Whether the search in `store` has proposed all its batches and every trial in them is
    /// finished (done, pruned, diverged, stopped): then a rerun trains nothing and needs no data.
    public static func isComplete(_ search: Search, in store: RunStore) -> Bool {
        guard let batches = try? journal(in: store), batches.count == search.batches.count else { return false }
        return batches.allSatisfy { batch in
            batch.ids.allSatisfy { id in
                guard let record = store.record(ofID: id) else { return false }
                return store.isFinished(Run(index: 0, id: id, name: record.name, config: record.config), acceptPruned: true)
            }
        }
    }

    /// Runs the search to its last trial, or until cancelled.
    /// - Returns: the plan of every trial proposed, and each one's outcome (nil for runs a
    ///   cancellation left unstarted).
    public func run() throws(SearchError) -> (plan: Plan, outcomes: [RunOutcome?]) {
        var recorded = try SearchScheduler.journal(in: store)
        var assignments: [[(Parameter, ParameterValue)]] = []
        var history: [TPE.Trial] = []
        var outcomes: [RunOutcome?] = []
        var plan: Plan
        do { plan = try Plan(spec, maxRuns: maxRuns, memoryLimit: memoryLimit) } catch { throw .spec(error) }
        for (b, size) in search.batches.enumerated() {
            let batch: [[(Parameter, ParameterValue)]]
            if b < recorded.count {
                batch = try replay(recorded[b], batch: b)
            } else {
                do {
                    batch = try search.propose(spec, after: history, taken: assignments.map { $0.map(\.1) }, count: size,
                                               minimize: selection.goal == "min")
                } catch { throw .spec(error) }
            }
            do { plan = try Plan(spec, maxRuns: maxRuns, memoryLimit: memoryLimit, trials: assignments + batch) } catch { throw .spec(error) }
            let runs = Array(plan.runs.suffix(batch.count))
            if b >= recorded.count {
                recorded.append(Batch(trials: batch.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.0.key, $0.1.description) }) },
                                      ids: runs.map(\.id)))
                do {
                    try AtomicFile.createDirectory(store.directory)
                    try AtomicFile.writeJSON(recorded, to: store.file(SearchScheduler.journalFile))
                    _ = try store.writePlan(plan)
                } catch { throw .unwritable(error) }
            } else if recorded[b].ids != runs.map(\.id) {
                throw .journal("\(store.file(SearchScheduler.journalFile)): batch \(b) was proposed for other runs than this spec "
                    + "plans (the spec changed under the search); move the journal aside to start again, or restore the spec")
            } else {
                do { _ = try store.writePlan(plan) } catch { throw .unwritable(error) }
            }
            assignments += batch
            let results: [RunOutcome?]
            if let pruning = plan.pruning {
                do {
                    results = try RungScheduler(store: store, executor: executor, options: options, pruning: pruning,
                                                cancellation: cancellation, events: events).run(runs, decisions: "pruning-batch-\(b)")
                } catch { throw .unwritable(error) }
            } else {
                results = Scheduler(store: store, executor: executor, options: options, cancellation: cancellation,
                                    events: events).run(runs)
            }
            outcomes += results
            if cancellation.isCancelled || results.contains(where: { $0 == nil }) { break }
            for (run, outcome) in zip(runs, results) {
                history.append(TPE.Trial(point: Search.point(of: run.config, spec), outcome: trialOutcome(run, outcome)))
            }
        }
        return (plan, outcomes + [RunOutcome?](repeating: nil, count: plan.runs.count - outcomes.count))
    }

    /// A recorded batch as assignments, each value read as the spec's parameter reads it.
    private func replay(_ batch: Batch, batch b: Int) throws(SearchError) -> [[(Parameter, ParameterValue)]] {
        var result: [[(Parameter, ParameterValue)]] = []
        for trial in batch.trials {
            guard Set(trial.keys) == Set(spec.sampled.map(\.parameter.key)) else {
                throw .journal("\(store.file(SearchScheduler.journalFile)): batch \(b) sets \(trial.keys.sorted().joined(separator: ", ")), "
                    + "but the spec searches \(spec.sampled.map(\.parameter.key).joined(separator: ", ")); move the journal aside to "
                    + "start again, or restore the spec")
            }
            var assignment: [(Parameter, ParameterValue)] = []
            for axis in spec.sampled {
                // Each value read as if written in a spec: the parameter's own checks apply.
                let source = Source(name: SearchScheduler.journalFile, text: trial[axis.parameter.key]!)
                do {
                    let node = try Parser(source).parse() ?? .scalar(Node.Scalar("", mark: Mark(line: 1, column: 1)))
                    assignment.append((axis.parameter, try axis.parameter.value(from: node, in: source)))
                } catch { throw .spec(error) }
            }
            result.append(assignment)
        }
        return result
    }

    /// What TPE learns from a run: its figure at the selected epoch; a pruned run's at the epoch
    /// it reached; nothing from a run without the figure (diverged, failed).
    private func trialOutcome(_ run: Run, _ outcome: RunOutcome?) -> TPE.Trial.Outcome {
        guard let rows = store.intactRows(of: run), !rows.isEmpty else { return .failed }
        if case .pruned(let epoch) = outcome {
            guard rows.count >= epoch, let v = rows[epoch - 1].figure(selection.metric) else { return .failed }
            return .pruned(epoch: epoch, value: v)
        }
        guard let epoch = selection.selectedEpoch(rows), let v = rows[epoch - 1].figure(selection.metric), v.isFinite else {
            return .failed
        }
        return .complete(v)
    }
}
