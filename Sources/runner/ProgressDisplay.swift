import Experiments
import Foundation
import Results
import Scheduler
import Synchronization

/// Shows a sweep's progress: on a terminal a live block with a line per running run and the
/// sweep's ETA; elsewhere (scripts, CI, logs) one plain line per finished epoch and run;
/// nothing but errors with --quiet. Thread-safe: workers report into it.
final class ProgressDisplay: Sendable {
    enum Mode: Sendable { case live, lines, quiet }

    private struct Running {
        var name: String
        var index: Int
        var epoch = 1
        var examples = 0
        var total = 1
        var epochs: Int
        /// The last epoch's headline figure: (short, long) as `acc 97.81%`, `test accuracy 97.81%`.
        var lastFigure: (short: String, long: String)?
    }

    private struct State {
        var running: [String: Running] = [:]
        var finished = 0
        var epochSeconds: [Double] = []
        var remainingEpochs: Int
        var drawnLines = 0
        var lastDraw = 0.0
    }

    private let mode: Mode
    private let experiment: String
    private let count: Int
    private let jobs: Int
    private let state: Mutex<State>

    /// - Parameter runs: how many runs the sweep will train, when the plan does not list them
    ///   yet (a search proposes them batch by batch; each takes the first run's epochs).
    init(mode: Mode, plan: Plan, jobs: Int, runs: Int? = nil) {
        self.mode = mode
        experiment = plan.experiment
        count = runs ?? plan.runs.count
        self.jobs = jobs
        let epochs = runs.map { $0 * (plan.runs.first?.config.epochs ?? 0) } ?? plan.runs.reduce(0) { $0 + $1.config.epochs }
        state = Mutex(State(remainingEpochs: epochs))
    }

    /// The mode for standard output: live on a terminal, lines otherwise.
    static func mode(quiet: Bool) -> Mode {
        quiet ? .quiet : (isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb" ? .live : .lines)
    }

    /// `[comparison #3 activation=relu,dropout=0.5]`: runs are numbered by their 0-based plan
    /// index everywhere (the `--index` that trains them, the summary's `index` column).
    private func label(_ run: Run) -> String { "[\(experiment) #\(run.index) \(run.name)]" }

    func handle(_ event: SchedulerEvent) {
        if case .damaged(let run, let reason) = event {
            // A warning: on standard error, even with --quiet.
            Output.error("runner: warning: \(label(run)) was marked finished but \(reason); training it again")
            return
        }
        if case .setAside(let run, let folder) = event {
            Output.error("runner: warning: \(label(run)) is trained anew over figures of an earlier training (done and "
                + "retrained, or its status, config or checkpoint unreadable); they are kept in \(folder)")
            return
        }
        guard mode != .quiet || isFailure(event) else { return }
        state.withLock { s in
            var permanent: [String] = []
            switch event {
            case .damaged, .setAside: break
            case .waiting(let run, let pid):
                permanent.append("\(label(run)) is being trained by another runner" + (pid.map { " (pid \($0))" } ?? "")
                    + "; waiting for it to finish")
            case .started(let run, let resumed):
                s.running[run.id] = Running(name: run.name, index: run.index, epoch: resumed + 1, epochs: run.config.epochs)
                s.remainingEpochs -= resumed
                if resumed > 0 { permanent.append("\(label(run)) resuming after epoch \(resumed)") }
            case .progress(let run, let epoch, let examples, let total):
                s.running[run.id]?.epoch = epoch
                s.running[run.id]?.examples = examples
                s.running[run.id]?.total = total
            case .epochFinished(let run, let m):
                s.running[run.id]?.lastFigure = m.testAccuracy.map { (String(format: "acc %.2f%%", $0), String(format: "test accuracy %.2f%%", $0)) }
                    ?? m.testErrors.map { (String(format: "rmse %.4f", $0.rmse), String(format: "test RMSE %.4f", $0.rmse)) }
                s.running[run.id]?.examples = 0
                s.running[run.id]?.epoch = m.epoch + 1
                s.epochSeconds.append(m.epochSeconds)
                s.remainingEpochs -= 1
                if mode == .lines {
                    let figure = m.testErrors.map { String(format: "test_rmse %.4f  test_r2 %.4f", $0.rmse, $0.r2) }
                        ?? String(format: "test_accuracy %.2f%%", m.testAccuracy ?? 0)
                    permanent.append("\(label(run)) epoch \(m.epoch)/\(run.config.epochs)  train_loss "
                        + String(format: "%.4f  test_loss %.4f  ", m.trainLoss, m.testLoss) + figure
                        + String(format: "  %.1f s", m.epochSeconds))
                }
            case .finished(let run, let outcome):
                let epochsLeft = s.running[run.id].map { $0.epochs - $0.epoch + 1 } ?? run.config.epochs
                if outcome != .done { s.remainingEpochs -= max(0, epochsLeft) }
                let figure = s.running[run.id]?.lastFigure
                s.running[run.id] = nil
                s.finished += 1
                permanent.append("\(label(run)) " + describe(outcome)
                    + (outcome == .done ? figure.map { " (final \($0.long))" } ?? "" : ""))
            }
            draw(&s, permanent: permanent, force: !permanent.isEmpty)
        }
    }

    private func isFailure(_ event: SchedulerEvent) -> Bool {
        if case .finished(_, let outcome) = event { return outcome.isFailure }
        return false
    }

    private func describe(_ outcome: RunOutcome) -> String {
        switch outcome {
        case .done: "done"
        case .skipped: "done already; skipped"
        case .skippedDiverged(let epoch): "diverged already (epoch \(epoch)); skipped (--retry-diverged trains it again)"
        case .diverged(let epoch): "DIVERGED in epoch \(epoch) (see its status.json)"
        case .stopped(let epoch, let best): "stopped early after epoch \(epoch) by its early_stopping rule; best epoch \(best)"
        case .paused(let epoch): "reached the rung at epoch \(epoch)"
        case .pruned(let epoch): "pruned at the rung at epoch \(epoch)"
        case .failed(let reason): "FAILED: \(reason)"
        case .unwritable(let reason): "FAILED: \(reason)"
        case .interrupted: "interrupted; finished epochs kept, rerun to resume"
        case .busy(let pid): "being trained by another runner" + (pid.map { " (pid \($0))" } ?? "") + "; left to it"
        }
    }

    /// Prints permanent lines, then (live mode) redraws the block of running runs.
    private func draw(_ s: inout State, permanent: [String], force: Bool) {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        if mode != .live {
            for line in permanent { Output.out(line + "\n") }
            return
        }
        guard force || now - s.lastDraw > 0.1 else { return }
        s.lastDraw = now
        var text = s.drawnLines > 0 ? "\u{1B}[\(s.drawnLines)A" : ""
        for line in permanent { text += "\u{1B}[2K" + line + "\n" }
        var block = [header(s)]
        for r in s.running.values.sorted(by: { $0.index < $1.index }) {
            let fraction = Double(r.examples) / Double(max(r.total, 1))
            let filled = Int(fraction * 20)
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled)
            let acc = r.lastFigure.map { "  last \($0.short)" } ?? ""
            block.append("  [#\(r.index) \(r.name)] epoch \(r.epoch)/\(r.epochs) [\(bar)] "
                + String(format: "%3.0f%%", fraction * 100) + acc)
        }
        for line in block { text += "\u{1B}[2K" + line + "\n" }
        // Clear lines left over from a taller previous block.
        if s.drawnLines > block.count {
            for _ in block.count..<s.drawnLines { text += "\u{1B}[2K\n" }
            text += "\u{1B}[\(s.drawnLines - block.count)A"
        }
        s.drawnLines = block.count
        Output.out(text)
    }

    private func header(_ s: State) -> String {
        let pending = count - s.finished - s.running.count
        var eta = "ETA after the first epoch"
        if !s.epochSeconds.isEmpty {
            let mean = s.epochSeconds.reduce(0, +) / Double(s.epochSeconds.count)
            let parallel = Double(max(1, min(jobs, s.running.count + pending)))
            let seconds = Int(Double(max(0, s.remainingEpochs)) * mean / parallel)
            eta = "ETA " + (seconds >= 3600 ? "\(seconds / 3600)h\(seconds % 3600 / 60)m"
                            : seconds >= 60 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds)s")
        }
        return "\(experiment): \(s.finished)/\(count) finished, \(s.running.count) running, \(pending) pending; \(eta)"
    }
}
