import Datasets
import Experiments
import Foundation
import Results
import SpecYAML
import Synchronization
import Testing
@testable import Scheduler

/// A plan of `n` runs differing by seed.
func plan(_ n: Int, epochs: Int = 2) throws -> Plan {
    let spec = try ExperimentSpec.parse(Source(name: "t.yaml", text: "epochs: \(epochs)\nrepeats: \(n)\n"),
                                        defaultName: "t")
    return try Plan(spec)
}

func temporaryStore() throws -> RunStore {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sched-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return RunStore(directory: dir)
}

struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }

/// A test double: does what the script says for each run index, recording what ran.
final class ScriptedExecutor: RunExecutor {
    enum Step: Sendable { case succeed, diverge, fail }
    let store: RunStore
    let script: [Int: Step]
    let executed = Mutex<[Int]>([])

    init(store: RunStore, script: [Int: Step] = [:]) {
        self.store = store
        self.script = script
    }

    func execute(_ run: Run, context: RunContext) throws -> RunOutcome {
        executed.withLock { $0.append(run.index) }
        let recorder = try store.begin(run)
        switch script[run.index] ?? .succeed {
        case .succeed:
            try recorder.append(EpochMetrics(epoch: 1, trainLoss: 1, testLoss: 1, testAccuracy: 50, epochSeconds: 0))
            try recorder.write(.done)
            return .done
        case .diverge:
            try recorder.write(.diverged, reason: "loss became nan in epoch 1")
            return .diverged(epoch: 1)
        case .fail:
            throw Boom()
        }
    }
}

/// Events as short strings, in the order they arrived.
final class EventLog: Sendable {
    let lines = Mutex<[String]>([])
    func record(_ e: SchedulerEvent) {
        let line: String = switch e {
        case .started(let r, let resumed): "start \(r.index) +\(resumed)"
        case .progress: ""
        case .epochFinished(let r, let m): "epoch \(r.index).\(m.epoch)"
        case .finished(let r, let o): "end \(r.index) \(o)"
        }
        if !line.isEmpty { lines.withLock { $0.append(line) } }
    }
}

@Suite struct InlineScheduling {
    func schedule(_ executor: ScriptedExecutor, _ runs: [Run], failFast: Bool = false, force: Bool = false,
                  log: EventLog = EventLog()) -> [RunOutcome?] {
        Scheduler(store: executor.store, executor: executor, options: .init(jobs: 1, force: force, failFast: failFast),
                  cancellation: Cancellation(), events: log.record).run(runs)
    }

    @Test func runsInPlanOrder() throws {
        let store = try temporaryStore(), runs = try plan(4).runs
        let executor = ScriptedExecutor(store: store)
        let log = EventLog()
        let outcomes = schedule(executor, runs, log: log)
        #expect(executor.executed.withLock { $0 } == [0, 1, 2, 3])
        #expect(outcomes == [.done, .done, .done, .done])
        #expect(log.lines.withLock { $0 } == ["end 0 done", "end 1 done", "end 2 done", "end 3 done"])
    }

    @Test func failuresAreIsolatedAndRecorded() throws {
        let store = try temporaryStore(), runs = try plan(4).runs
        let executor = ScriptedExecutor(store: store, script: [1: .fail, 2: .diverge])
        let outcomes = schedule(executor, runs)
        #expect(outcomes == [.done, .failed(reason: "boom"), .diverged(epoch: 1), .done])
        #expect(store.status(of: runs[1])?.state == .failed)
        #expect(store.status(of: runs[1])?.reason == "boom")
        #expect(store.status(of: runs[2])?.state == .diverged)
        #expect(store.status(of: runs[3])?.state == .done)
    }

    @Test func failFastStopsAtTheFirstFailure() throws {
        let store = try temporaryStore(), runs = try plan(4).runs
        let executor = ScriptedExecutor(store: store, script: [1: .diverge])
        let outcomes = schedule(executor, runs, failFast: true)
        #expect(outcomes == [.done, .diverged(epoch: 1), nil, nil])
        #expect(executor.executed.withLock { $0 } == [0, 1])
    }

    @Test func resumeSkipsDoneRunsAndRedoesTheRest() throws {
        let store = try temporaryStore(), runs = try plan(3).runs
        _ = schedule(ScriptedExecutor(store: store, script: [1: .fail]), runs)
        let second = ScriptedExecutor(store: store)
        let outcomes = schedule(second, runs)
        #expect(outcomes == [.skipped, .done, .skipped])
        #expect(second.executed.withLock { $0 } == [1])
        let forced = ScriptedExecutor(store: store)
        _ = schedule(forced, runs, force: true)
        #expect(forced.executed.withLock { $0 } == [0, 1, 2])
    }

    @Test func aChangedConfigIsANewRunAndLeavesTheOldOne() throws {
        let store = try temporaryStore()
        let old = try plan(1, epochs: 2).runs, new = try plan(1, epochs: 3).runs
        _ = schedule(ScriptedExecutor(store: store), old)
        let executor = ScriptedExecutor(store: store)
        #expect(schedule(executor, new) == [.done])
        #expect(old[0].id != new[0].id)
        #expect(store.isDone(old[0]) && store.isDone(new[0]))
    }

    @Test func severalJobsRunEveryRunOnce() throws {
        let store = try temporaryStore(), runs = try plan(6).runs
        let executor = ScriptedExecutor(store: store, script: [4: .fail])
        let outcomes = Scheduler(store: store, executor: executor, options: .init(jobs: 3),
                                 cancellation: Cancellation(), events: { _ in }).run(runs)
        #expect(executor.executed.withLock { $0 }.sorted() == [0, 1, 2, 3, 4, 5])
        #expect(outcomes[4] == .failed(reason: "boom"))
        #expect(outcomes.filter { $0 == .done }.count == 5)
    }

    @Test func cancelledBeforeStartRunsNothing() throws {
        let store = try temporaryStore(), runs = try plan(2).runs
        let executor = ScriptedExecutor(store: store)
        let cancellation = Cancellation()
        cancellation.cancel()
        let outcomes = Scheduler(store: store, executor: executor, options: .init(), cancellation: cancellation,
                                 events: { _ in }).run(runs)
        #expect(outcomes == [nil, nil])
    }
}

@Suite struct Locking {
    @Test func aRunLockedByAnotherRunnerIsLeftToIt() throws {
        let store = try temporaryStore(), runs = try plan(3).runs
        let held = try RunLock.acquire(directory: store.path(of: runs[1]))
        let executor = ScriptedExecutor(store: store)
        let outcomes = Scheduler(store: store, executor: executor, options: .init(), cancellation: Cancellation(),
                                 events: { _ in }).run(runs)
        #expect(outcomes == [.done, .busy(pid: getpid()), .done])
        #expect(executor.executed.withLock { $0 } == [0, 2])
        withExtendedLifetime(held) {}
    }

    @Test func aLockIsFreeAgainWhenReleased() throws {
        let dir = try temporaryStore().directory + "/run"
        do {
            let first = try RunLock.acquire(directory: dir)
            #expect(throws: RunLock.Failure.self) { _ = try RunLock.acquire(directory: dir) }
            withExtendedLifetime(first) {}
        }
        _ = try RunLock.acquire(directory: dir)
    }
}
