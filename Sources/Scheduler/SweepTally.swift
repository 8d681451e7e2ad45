import Experiments

/// What a sweep's outcomes add up to, across every spec of one invocation: the runs to list
/// (failed, diverged, left to another runner), whether some stayed unfinished, and whether
/// results could not be written. `runner` prints `report` and turns `verdict` into its exit
/// status.
public struct SweepTally: Sendable, Equatable {
    public private(set) var failures: [String] = []
    public private(set) var diverged: [String] = []
    public private(set) var busy: [String] = []
    public private(set) var interrupted = false
    public private(set) var unwritable = false

    public init() {}

    /// How the invocation ends, worst first.
    public enum Verdict: Sendable, Equatable {
        /// Results could not be written.
        case unwritable
        /// A run failed, was interrupted or was left to another runner.
        case unfinished
        /// Every run done, stopped, pruned or diverged (results all).
        case complete
    }

    public var verdict: Verdict {
        unwritable ? .unwritable : !failures.isEmpty || interrupted || !busy.isEmpty ? .unfinished : .complete
    }

    /// Counts a run's outcome in `experiment`; nil is a run the sweep never reached (stopped first).
    public mutating func add(_ run: Run, of experiment: String, _ outcome: RunOutcome?) {
        let line = "\(experiment) #\(run.index) \(run.name) (\(run.id))"
        guard let outcome else { interrupted = true; return }
        switch outcome {
        case .failed: failures.append(line)
        case .unwritable: failures.append(line); unwritable = true
        case .diverged(let epoch), .skippedDiverged(let epoch): diverged.append(line + " in epoch \(epoch)")
        case .interrupted: interrupted = true
        case .busy: busy.append(line)
        case .done, .skipped, .stopped, .paused, .pruned: break
        }
    }

    /// Marks the invocation stopped before it reached every spec, or unable to write a summary.
    public mutating func markInterrupted() { interrupted = true }
    public mutating func markUnwritable() { unwritable = true }

    /// The lists for standard error, one paragraph each (empty when there is nothing to say).
    public var report: [String] {
        var out: [String] = []
        if !diverged.isEmpty {
            out.append("\(diverged.count) run(s) diverged (a result; see their status.json, "
                + "--retry-diverged trains them again):\n  " + diverged.joined(separator: "\n  "))
        }
        if !failures.isEmpty {
            out.append("\(failures.count) run(s) failed (see their status.json):\n  " + failures.joined(separator: "\n  "))
        }
        if !busy.isEmpty {
            out.append("\(busy.count) run(s) were being trained by another runner on the same results folder "
                + "and were left to it:\n  " + busy.joined(separator: "\n  "))
        }
        return out
    }
}
