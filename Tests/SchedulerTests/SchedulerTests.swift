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
            for epoch in 1...run.config.epochs {
                try recorder.append(EpochMetrics(epoch: epoch, trainLoss: 1, testLoss: 1, testAccuracy: 50, epochSeconds: 0))
            }
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
    /// Signalled once for every `waiting` event, so a test can wait for one without polling.
    let waited = DispatchSemaphore(value: 0)
    func record(_ e: SchedulerEvent) {
        let line: String = switch e {
        case .started(let r, let resumed): "start \(r.index) +\(resumed)"
        case .progress: ""
        case .epochFinished(let r, let m): "epoch \(r.index).\(m.epoch)"
        case .finished(let r, let o): "end \(r.index) \(o)"
        case .damaged(let r, let reason): "damaged \(r.index): \(reason)"
        case .waiting(let r, _): "waiting \(r.index)"
        case .setAside(let r, _): "set aside \(r.index)"
        }
        if !line.isEmpty { lines.withLock { $0.append(line) } }
        if case .waiting = e { waited.signal() }
    }
}

@Suite struct InlineScheduling {
    func schedule(_ executor: ScriptedExecutor, _ runs: [Run], failFast: Bool = false, force: Bool = false,
                  retryDiverged: Bool = false, log: EventLog = EventLog()) -> [RunOutcome?] {
        Scheduler(store: executor.store, executor: executor,
                  options: .init(jobs: 1, force: force, failFast: failFast, retryDiverged: retryDiverged),
                  cancellation: Cancellation(), events: log.record).run(runs)
    }

    @Test func aDivergedRunIsAResultThatRerunsSkip() throws {
        let store = try temporaryStore(), runs = try plan(3).runs
        _ = schedule(ScriptedExecutor(store: store, script: [1: .diverge]), runs)
        let again = ScriptedExecutor(store: store, script: [1: .diverge])
        #expect(schedule(again, runs) == [.skipped, .skippedDiverged(epoch: 1), .skipped])
        #expect(again.executed.withLock { $0 } == [])
        #expect(RunOutcome.diverged(epoch: 1).isFailure == false)
        let retried = ScriptedExecutor(store: store)
        #expect(schedule(retried, runs, retryDiverged: true) == [.skipped, .done, .skipped])
    }

    @Test(arguments: ["lost last line", "garbage", "missing", "extra row", "edited figure"])
    func aDoneRunWhoseMetricsAreDamagedIsTrainedAgain(_ damage: String) throws {
        let store = try temporaryStore(), runs = try plan(2, epochs: 1).runs
        _ = schedule(ScriptedExecutor(store: store), runs)
        let path = store.file(RunStore.metricsFile, ofID: runs[0].id)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        switch damage {
        case "lost last line": try (text.split(separator: "\n").dropLast().joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        case "garbage": try "\u{0}\u{1}garbage".write(toFile: path, atomically: true, encoding: .utf8)
        case "missing": try FileManager.default.removeItem(atPath: path)
        case "extra row": try (text + "9,1.00000000,1.00000000,50.0000,0.000\n").write(toFile: path, atomically: true, encoding: .utf8)
        default: try text.replacingOccurrences(of: "50.0000", with: "99.0000").write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(store.isDone(runs[0]) == false)
        let log = EventLog(), again = ScriptedExecutor(store: store)
        #expect(schedule(again, runs, log: log) == [.done, .skipped])
        #expect(again.executed.withLock { $0 } == [0])
        #expect(log.lines.withLock { $0 }.first?.hasPrefix("damaged 0: ") == true)
        #expect(store.isDone(runs[0]))
    }

    @Test func statusFollowsTheMetricsEveryEpoch() throws {
        let store = try temporaryStore(), run = try plan(1, epochs: 3).runs[0]
        let recorder = try store.begin(run)
        for epoch in 1...2 {
            try recorder.append(EpochMetrics(epoch: epoch, trainLoss: 1, testLoss: 1, testAccuracy: 50, epochSeconds: 0))
            let status = try #require(store.status(of: run))
            #expect(status.epochsDone == epoch && status.state == .running)
            let metrics = try String(contentsOfFile: store.file(RunStore.metricsFile, ofID: run.id), encoding: .utf8)
            #expect(status.metricsSHA256 == RunStore.sha256(metrics))
        }
        // A process killed now leaves a running record that agrees with the metrics: not done.
        #expect(store.record(of: run) == .unfinished)
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
    /// Another runner holds run 1: the others go first, then this runner waits for it.
    /// `finishes`: the other runner completes it (done here too) or stops (trained here).
    @Test(arguments: [true, false])
    func aRunHeldByAnotherRunnerIsWaitedFor(finishes: Bool) throws {
        let store = try temporaryStore(), runs = try plan(3).runs
        nonisolated(unsafe) var held: RunLock? = try RunLock.acquire(directory: store.path(of: runs[1]))
        let log = EventLog()
        let executor = ScriptedExecutor(store: store)
        let other = Thread {
            log.waited.wait()  // the scheduler is waiting for run 1 now
            if finishes { _ = try? ScriptedExecutor(store: store).execute(runs[1], context: RunContext(cancellation: Cancellation(), report: { _ in })) }
            held = nil
        }
        other.start()
        let outcomes = Scheduler(store: store, executor: executor, options: .init(lockPoll: 0.01),
                                 cancellation: Cancellation(), events: log.record).run(runs)
        #expect(outcomes == [.done, finishes ? .skipped : .done, .done])
        #expect(executor.executed.withLock { $0 } == (finishes ? [0, 2] : [0, 2, 1]))
        #expect(log.lines.withLock { $0 }.prefix(3) == ["end 0 done", "end 2 done", "waiting 1"])
    }

    @Test func aCancelledWaitLeavesTheRunBusy() throws {
        let store = try temporaryStore(), runs = try plan(1).runs
        let held = try RunLock.acquire(directory: store.path(of: runs[0]))
        let cancellation = Cancellation()
        let outcomes = Scheduler(store: store, executor: ScriptedExecutor(store: store), options: .init(lockPoll: 0.01),
                                 cancellation: cancellation, events: { if case .waiting = $0 { cancellation.cancel() } }).run(runs)
        #expect(outcomes == [.busy(pid: getpid())])
        withExtendedLifetime(held) {}
    }

    @Test func aLinkPlantedAsTheLockIsNeverWrittenThrough() throws {
        let store = try temporaryStore(), run = try plan(1).runs[0]
        let victim = store.directory + "/victim.txt"
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: store.path(of: run), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: store.path(of: run) + "/.lock", withDestinationPath: victim)
        #expect(throws: RunLock.Failure.self) { _ = try RunLock.acquire(directory: store.path(of: run)) }
        // A dangling link: its target must not be created either.
        let absent = store.directory + "/absent.txt"
        try FileManager.default.removeItem(atPath: store.path(of: run) + "/.lock")
        try FileManager.default.createSymbolicLink(atPath: store.path(of: run) + "/.lock", withDestinationPath: absent)
        let outcomes = Scheduler(store: store, executor: ScriptedExecutor(store: store), options: .init(),
                                 cancellation: Cancellation(), events: { _ in }).run([run])
        guard case .unwritable(let reason) = outcomes[0] else { Issue.record("\(String(describing: outcomes[0]))"); return }
        #expect(reason.contains("symbolic link"))
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(!FileManager.default.fileExists(atPath: absent))
        // A hard link to another file is refused too.
        try FileManager.default.removeItem(atPath: store.path(of: run) + "/.lock")
        try FileManager.default.linkItem(atPath: victim, toPath: store.path(of: run) + "/.lock")
        #expect(throws: RunLock.Failure.self) { _ = try RunLock.acquire(directory: store.path(of: run)) }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
    }

    @Test func aLinkedRunFolderIsNeverWrittenThrough() throws {
        let store = try temporaryStore(), run = try plan(1).runs[0]
        let elsewhere = try temporaryStore().directory
        try FileManager.default.createDirectory(atPath: store.directory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: store.path(of: run), withDestinationPath: elsewhere)
        let outcomes = Scheduler(store: store, executor: ScriptedExecutor(store: store), options: .init(),
                                 cancellation: Cancellation(), events: { _ in }).run([run])
        guard case .unwritable = outcomes[0] else { Issue.record("\(String(describing: outcomes[0]))"); return }
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere) == [])
    }

    @Test func aPlantedTemporaryFileLinkIsReplacedNotFollowed() throws {
        let dir = try temporaryStore().directory
        let victim = dir + "/victim.txt"
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/.status.json.\(getpid()).tmp", withDestinationPath: victim)
        try AtomicFile.write("new\n", to: dir + "/status.json")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: dir + "/status.json", encoding: .utf8) == "new\n")
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

@Suite struct Paths {
    /// Foundation's deletingLastPathComponent traps on "r"; results folders named so must work.
    @Test func parentsOfShortPaths() throws {
        #expect(AtomicFile.parent(of: "r") == "")
        #expect(AtomicFile.parent(of: "r/s") == "r")
        #expect(AtomicFile.parent(of: "/r") == "/")
        #expect(AtomicFile.parent(of: "a/b/") == "a")
    }
}
