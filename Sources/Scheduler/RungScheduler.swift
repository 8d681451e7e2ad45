import Experiments
import Foundation
import Results

/// A pruned sweep (`prune:`): every run trains to the first rung; the rung's decision keeps
/// the best by the metric there (`Pruning.keep`) and marks the others `pruned`; the kept go on
/// to the next rung, and so on up to the runs' last epoch. Each rung is a `Scheduler` pass
/// (any `--jobs`) that ends before its decision, so the decisions see the same figures whatever
/// the number of jobs or the order runs finished in. Each decision is written to the results
/// folder (`pruning.json`) before it takes effect and is replayed, not taken again, when an
/// interrupted sweep resumes.
public final class RungScheduler: Sendable {
    /// One rung's decision, as pruning.json records it.
    public struct Decision: Codable, Sendable, Equatable {
        /// The rung: the epoch whose figures decided.
        public var epoch: Int
        public var metric: String
        /// Every run that reached the rung's pass (ids), whether it competed or not (a run that
        /// stopped early or diverged has no value and goes no further).
        public var runs: [String]
        /// Run ids kept (best first) and pruned, and every run's value at the rung.
        public var kept: [String]
        public var pruned: [String]
        public var values: [String: Double]
    }

    public static let decisionsFile = "pruning.json"

    private let store: RunStore
    private let executor: any RunExecutor
    private let options: Scheduler.Options
    private let pruning: Pruning
    private let cancellation: Cancellation
    private let events: @Sendable (SchedulerEvent) -> Void

    public init(store: RunStore, executor: any RunExecutor, options: Scheduler.Options, pruning: Pruning,
                cancellation: Cancellation, events: @escaping @Sendable (SchedulerEvent) -> Void) {
        self.store = store
        self.executor = executor
        self.options = options
        self.pruning = pruning
        self.cancellation = cancellation
        self.events = events
    }

    /// The decisions recorded so far in `file`, in rung order (none when the file is missing
    /// or unreadable). Hyperband keeps one file per bracket: `pruning-bracket-S.json`.
    public func decisions(file: String = RungScheduler.decisionsFile) -> [Decision] {
        guard let data = FileManager.default.contents(atPath: store.file(file)) else { return [] }
        return (try? JSONDecoder().decode([Decision].self, from: data)) ?? []
    }

    /// Runs a plan's runs (all of the same epochs) rung by rung.
    /// - Returns: each run's outcome: `.pruned(epoch:)` for those left at a rung, otherwise as
    ///   `Scheduler.run` reports them at the last rung each reached; nil for runs a
    ///   cancellation left unstarted.
    /// - Throws: when a decision cannot be recorded (the results folder is unwritable).
    /// - Parameter name: the decisions' file name without `.json` (a search's batches each
    ///   keep their own: `pruning-batch-B`).
    public func run(_ runs: [Run], decisions name: String = "pruning") throws(AtomicFile.WriteError) -> [RunOutcome?] {
        guard pruning.method == .hyperband, let epochs = runs.first?.config.epochs else {
            return try halve(runs, rule: pruning, file: name + ".json")
        }
        // Hyperband: its brackets one after the other, each a successive halving of its runs.
        var outcomes: [RunOutcome?] = []
        var start = 0
        let brackets = pruning.brackets(epochs: epochs, runs: runs.count)
        for (b, bracket) in brackets.enumerated() {
            let part = Array(runs[start..<(start + bracket.runs)])
            start += bracket.runs
            outcomes += try halve(part, rule: bracket.rule, file: "\(name)-bracket-\(brackets.count - 1 - b).json")
            if cancellation.isCancelled {
                outcomes += [RunOutcome?](repeating: nil, count: runs.count - outcomes.count)
                break
            }
        }
        return outcomes
    }

    /// Successive halving (or the median rule) of `runs` under `rule`, decisions in `file`.
    private func halve(_ runs: [Run], rule pruning: Pruning, file: String) throws(AtomicFile.WriteError) -> [RunOutcome?] {
        var outcomes = [RunOutcome?](repeating: nil, count: runs.count)
        guard let epochs = runs.first?.config.epochs else { return outcomes }
        var recorded = decisions(file: file)
        var alive = Array(runs.indices)
        for (k, rung) in pruning.rungs(epochs: epochs).enumerated() {
            var options = self.options
            options.epochLimit = rung < epochs ? rung : nil
            if k > 0 { options.force = false }   // --force retrains from scratch once, not at every rung
            let results = Scheduler(store: store, executor: executor, options: options, cancellation: cancellation,
                                    events: events).run(alive.map { runs[$0] })
            for (i, outcome) in zip(alive, results) { outcomes[i] = outcome }
            if rung == epochs || cancellation.isCancelled || results.contains(where: { $0 == nil }) { break }

            let decision: Decision
            if k < recorded.count, recorded[k].epoch == rung, recorded[k].runs == alive.map({ runs[$0].id }) {
                decision = recorded[k]   // replayed: taken by an earlier invocation
            } else {
                // Runs paused at the rung compete (and runs done in an earlier sweep, by their figure
                // there); stopped, diverged or failed ones have no value and go no further.
                let values: [Double?] = zip(alive, results).map { i, outcome in
                    switch outcome {
                    case .paused, .skipped: value(of: runs[i], at: rung)
                    default: nil
                    }
                }
                let kept = pruning.keep(values).map { alive[$0] }
                let paused = zip(alive, results).filter { if case .paused = $0.1 { return true }; return false }.map(\.0)
                var byID: [String: Double] = [:]
                for (i, v) in zip(alive, values) { if let v { byID[runs[i].id] = v } }
                decision = Decision(epoch: rung, metric: pruning.metric, runs: alive.map { runs[$0].id }, kept: kept.map { runs[$0].id },
                                    pruned: paused.filter { !kept.contains($0) }.map { runs[$0].id }, values: byID)
                recorded = Array(recorded.prefix(k)) + [decision]
                try AtomicFile.writeJSON(recorded, to: store.file(file))
            }
            let kept = Set(decision.kept), pruned = Set(decision.pruned)
            for i in alive where pruned.contains(runs[i].id) {
                let value = decision.values[runs[i].id].map { String(format: "%.4f", $0) } ?? "none"
                try store.markPruned(runs[i], reason: "pruned at the rung at epoch \(rung): \(pruning.metric) \(value), not among the "
                    + "\(kept.count) best of \(decision.kept.count + decision.pruned.count) (\(pruning.method.rawValue))")
                outcomes[i] = .pruned(epoch: rung)
                events(.finished(runs[i], .pruned(epoch: rung)))
            }
            alive = alive.filter { kept.contains(runs[$0].id) }
            if alive.isEmpty { break }
        }
        return outcomes
    }

    /// The run's figure `pruning.metric` at `epoch`, from its rows on disk (when intact).
    func value(of run: Run, at epoch: Int) -> Double? {
        guard let rows = store.intactRows(of: run), rows.count >= epoch else { return nil }
        return rows[epoch - 1].figure(pruning.metric)
    }
}
