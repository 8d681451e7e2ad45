import Experiments
import Testing
@testable import Scheduler

/// How a sweep's outcomes add up to what `runner` says and how it exits.
@Suite struct SweepTallyTests {
    @Test func outcomesAddUpWorstFirst() throws {
        let runs = try plan(4).runs
        var tally = SweepTally()
        for (run, outcome) in zip(runs, [RunOutcome.done, .skipped, .diverged(epoch: 3), .stopped(epoch: 2, best: 1)]) {
            tally.add(run, of: "e", outcome)
        }
        #expect(tally.verdict == .complete)
        #expect(tally.report == ["1 run(s) diverged (a result; see their status.json, --retry-diverged trains them again):\n"
            + "  e #2 \(runs[2].name) (\(runs[2].id)) in epoch 3"])
        tally.add(runs[0], of: "e", .busy(pid: 7))
        #expect(tally.verdict == .unfinished && tally.busy.count == 1)
        var stopped = SweepTally()
        stopped.add(runs[1], of: "e", nil)
        #expect(stopped.verdict == .unfinished && stopped.report.isEmpty)
        tally.add(runs[3], of: "e", .unwritable(reason: "disk full"))
        #expect(tally.verdict == .unwritable && tally.failures.count == 1)
    }

    @Test func anIndexSelectsAndADigestPinsThePlan() throws {
        let p = try plan(4)
        #expect(try p.runs(at: nil, expecting: nil) == p.runs)
        #expect(try p.runs(at: [3, 1], expecting: p.digest).map(\.index) == [3, 1])
        let outside = #expect(throws: Plan.SelectionError.self) { try p.runs(at: [4], expecting: nil) }
        #expect(outside?.message == "--index 4 is outside the plan's runs 0...3")
        #expect(throws: Plan.SelectionError.self) { try p.runs(at: nil, expecting: "000000000000") }
    }
}
