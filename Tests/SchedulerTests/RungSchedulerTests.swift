import Experiments
import Foundation
import Results
import SpecYAML
import Synchronization
import Testing
@testable import Scheduler

/// A double for pruned sweeps: run i's validation accuracy at epoch e is `score(i, e)`; it
/// trains (appends rows) up to the context's epoch limit, resuming from the rows on disk, and
/// counts the epochs it trained.
final class RungExecutor: RunExecutor {
    let store: RunStore
    let score: @Sendable (Int, Int) -> Double
    let trained = Mutex<[Int: Int]>([:])

    init(store: RunStore, score: @escaping @Sendable (Int, Int) -> Double) {
        self.store = store
        self.score = score
    }

    func execute(_ run: Run, context: RunContext) throws -> RunOutcome {
        let text = try? String(contentsOfFile: store.file(RunStore.metricsFile, ofID: run.id), encoding: .utf8)
        let rows = text.flatMap(EpochMetrics.parse) ?? []
        let recorder = try store.begin(run, resume: rows, previous: store.status(of: run))
        let target = min(context.epochLimit ?? run.config.epochs, run.config.epochs)
        var epoch = rows.count
        while epoch < target {
            epoch += 1
            try recorder.append(EpochMetrics(epoch: epoch, trainLoss: 1, testLoss: 1, testAccuracy: 50, epochSeconds: 0,
                                             valLoss: 1, valAccuracy: score(run.index, epoch)))
            trained.withLock { $0[run.index, default: 0] += 1 }
        }
        if epoch < run.config.epochs {
            try recorder.write(.interrupted, reason: "paused")
            return .paused(epoch: epoch)
        }
        try recorder.write(.done)
        return .done
    }
}

@Suite struct RungDecisions {
    /// 9 runs of 9 epochs: rungs at 1 and 3 (reduction 3), the last at 9.
    func search() throws -> Plan {
        try Plan(try ExperimentSpec.parse(Source(name: "t.yaml", text: """
            epochs: 9
            validation: 100
            samples: 9
            sweep:
              lr: {log_uniform: [0.001, 0.1]}
            prune: {method: successive_halving, metric: val_accuracy, min_epochs: 1, reduction: 3}

            """), defaultName: "t"))
    }

    /// Run i's score: at epoch 1 the order 0 > 1 > ... > 8; from epoch 2 on, run 2 overtakes.
    static let score: @Sendable (Int, Int) -> Double = { i, e in e == 1 ? 90 - Double(i) : (i == 2 ? 99 : 90 - Double(i)) }

    func sweep(_ plan: Plan, _ store: RunStore, jobs: Int = 1, cancelAt: Int? = nil) throws -> ([RunOutcome?], RungExecutor) {
        let executor = RungExecutor(store: store, score: Self.score)
        let cancellation = Cancellation()
        let outcomes = try RungScheduler(store: store, executor: executor, options: .init(jobs: jobs),
                                         pruning: try #require(plan.pruning), cancellation: cancellation) { event in
            if let cancelAt, case .finished(let run, .paused(let e)) = event, e == cancelAt, run.index == 1 { cancellation.cancel() }
        }.run(plan.runs)
        return (outcomes, executor)
    }

    @Test func successiveHalvingKeepsTheBestThirdAtEachRung() throws {
        let plan = try search(), store = try temporaryStore()
        #expect(try #require(plan.pruning).rungs(epochs: 9) == [1, 3, 9])
        let (outcomes, executor) = try sweep(plan, store)
        // Rung 1 keeps runs 0, 1, 2 (the best 3 of 9); rung 3 keeps run 2 alone (99 there).
        #expect(outcomes[2] == .done)
        #expect(outcomes[0] == .pruned(epoch: 3) && outcomes[1] == .pruned(epoch: 3))
        #expect((3..<9).allSatisfy { outcomes[$0] == .pruned(epoch: 1) })
        // Epochs spent: 9 runs to 1, 3 to 3, 1 to 9 = 9 + 6 + 6.
        #expect(executor.trained.withLock { $0.values.reduce(0, +) } == 21)
        #expect(store.status(of: plan.runs[5])?.state == .pruned)
        #expect(store.status(of: plan.runs[5])?.reason?.hasPrefix("pruned at the rung at epoch 1: val_accuracy 85.0000") == true)
        let decisions = RungScheduler(store: store, executor: executor, options: .init(), pruning: plan.pruning!,
                                      cancellation: Cancellation()) { _ in }.decisions()
        #expect(decisions.map(\.epoch) == [1, 3] && decisions[1].kept == [plan.runs[2].id])
    }

    /// The same decisions with two jobs, and after an interruption mid-rung (replayed from
    /// pruning.json, nothing trained twice).
    @Test func decisionsDoNotDependOnJobsOrInterruptions() throws {
        let plan = try search()
        let one = try temporaryStore(), two = try temporaryStore(), broken = try temporaryStore()
        let (reference, _) = try sweep(plan, one)
        let (parallel, _) = try sweep(plan, two, jobs: 2)
        #expect(parallel == reference)
        let (first, _) = try sweep(plan, broken, cancelAt: 3)   // stops during the second rung
        #expect(first.contains { $0 == nil || $0 == .paused(epoch: 3) || $0 == .paused(epoch: 1) })
        func decisions() -> [RungScheduler.Decision] {
            RungScheduler(store: broken, executor: RungExecutor(store: broken, score: Self.score), options: .init(),
                          pruning: plan.pruning!, cancellation: Cancellation()) { _ in }.decisions()
        }
        let before = decisions()
        #expect(before.count == 1)
        let (resumed, executor) = try sweep(plan, broken)
        #expect(resumed == reference)
        #expect(decisions().count == 2 && decisions()[0] == before[0])   // the first decision kept as written
        // The resumed sweep trains only what was left: run 2 from epoch 3 to 9, and whatever of
        // rung 3 the interruption cut short.
        #expect(executor.trained.withLock { $0[2] ?? 0 } >= 6 && executor.trained.withLock { $0.keys.allSatisfy { $0 <= 2 } })
    }

    @Test func theMedianRuleAndTies() {
        let median = Pruning(method: .median, metric: "val_loss", maximize: false, minEpochs: 2, reduction: 3)
        #expect(median.rungs(epochs: 7) == [2, 4, 6, 7])
        #expect(median.keep([0.5, 0.2, nil, 0.9, 0.3]) == [1, 4])   // median of 0.2, 0.3, 0.5, 0.9 is 0.4
        let halving = Pruning(method: .successiveHalving, metric: "val_accuracy", maximize: true, minEpochs: 2, reduction: 2)
        #expect(halving.rungs(epochs: 16) == [2, 4, 8, 16] && halving.rungs(epochs: 2) == [2])
        #expect(halving.keep([80, 90, 90, 70]) == [1, 2])            // a tie goes to the earlier run
        #expect(halving.keep([nil, nil, 50]) == [2])
    }
}

/// Hyperband: brackets sized as Li et al.'s, each a successive halving from its own epoch.
@Suite struct HyperbandBrackets {
    @Test func bracketsAndTheirRuns() throws {
        let rule = Pruning(method: .hyperband, metric: "val_accuracy", maximize: true, minEpochs: 1, reduction: 3)
        // s_max = 2 for 9 epochs: weights 9/3, 3/2, 1/1 over 9 runs: 5.09, 2.45, 1.64 -> 5, 2, 2.
        let brackets = rule.brackets(epochs: 9, runs: 9)
        #expect(brackets.map(\.runs) == [5, 2, 2] && brackets.map(\.rule.minEpochs) == [1, 3, 9])
        #expect(brackets.allSatisfy { $0.rule.method == .successiveHalving })
        #expect(rule.brackets(epochs: 2, runs: 4).map(\.runs) == [4])   // 2 < 1·3: one bracket, plain halving

        let plan = try Plan(try ExperimentSpec.parse(Source(name: "t.yaml", text: """
            epochs: 9
            validation: 100
            samples: 9
            sweep:
              lr: {log_uniform: [0.001, 0.1]}
            prune: {method: hyperband, metric: val_accuracy, min_epochs: 1, reduction: 3}

            """), defaultName: "t"))
        let store = try temporaryStore()
        let executor = RungExecutor(store: store, score: RungDecisions.score)
        let outcomes = try RungScheduler(store: store, executor: executor, options: .init(), pruning: plan.pruning!,
                                         cancellation: Cancellation()) { _ in }.run(plan.runs)
        // Bracket 2 (runs 0-4, from epoch 1): runs 0 and 1 kept at epoch 1 (run 2, third there,
        // never gets to overtake), run 0 at epoch 3.
        #expect((2...4).allSatisfy { outcomes[$0] == .pruned(epoch: 1) })
        #expect(outcomes[0] == .done && outcomes[1] == .pruned(epoch: 3))
        // Bracket 1 (runs 5, 6, from epoch 3): the better goes on. Bracket 0 (runs 7, 8): both trained in full.
        #expect(outcomes[5] == .done && outcomes[6] == .pruned(epoch: 3))
        #expect(outcomes[7] == .done && outcomes[8] == .done)
        // Epochs: bracket 2 5·1 + 2·2 + 1·6 = 15; bracket 1 2·3 + 1·6 = 12; bracket 0 2·9 = 18.
        let epochs: Int = executor.trained.withLock { $0.values.reduce(0, +) }
        #expect(epochs == 45)
        #expect(FileManager.default.fileExists(atPath: store.file("pruning-bracket-2.json")))
    }
}
