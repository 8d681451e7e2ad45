import ArgumentParser
import Datasets
import Experiments
import Foundation
import MLP
import Reporting
import Results
import Scheduler
import Synchronization

/// `runner SPEC...`: train every run of each spec.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train every run of each spec (the default command).",
        discussion: """
            Results go to RESULTS/<experiment>/<run-id>/ (config.json, metrics.csv, status.json),
            with summary.csv, accuracy.svg and loss.svg beside them. Runs already done with the
            same config are skipped and interrupted runs resume from their last finished epoch;
            --force trains everything again.

            Exit status: 0 all runs done; 1 some run failed or diverged; 2 invalid spec;
            3 missing or corrupt data; 4 results could not be written; 130/143 interrupted.
            """)

    @Argument(help: "Experiment specs (YAML).")
    var specs: [String]

    @OptionGroup var options: SpecOptions

    @Option(help: ArgumentHelp("Folder holding the datasets (default: $RUNNER_DATA_DIR, the spec's data_dir, or data).",
                               valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Folder the results go to.", valueName: "dir"))
    var results: String = "results"

    @Option(name: .shortAndLong, help: "Runs trained at once, each on one core (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("""
        Train only run I of the plan (row I of `runner plan --format tsv`), for xargs and job arrays; \
        `env` reads the array index from SLURM_ARRAY_TASK_ID, SGE_TASK_ID, PBS_ARRAY_INDEX, LSB_JOBINDEX, \
        JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX.
        """, valueName: "I|env"))
    var index: RunIndex?

    @Flag(help: "Train runs again even when their results are complete.")
    var force = false

    @Flag(help: "Stop the sweep at the first failed or diverged run.")
    var failFast = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        guard !specs.isEmpty else { throw ValidationError("give at least one spec, e.g. experiments/relu_dropout.yaml") }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if index != nil && specs.count != 1 { throw ValidationError("--index takes exactly one spec") }
    }

    func run() throws {
        // Plan everything first: a broken spec stops the command before anything is written.
        var work: [(path: String, plan: Plan, spec: ExperimentSpec, runs: [Run])] = []
        var selected: Int?
        if let index {
            do throws(RunIndex.IndexError) {
                selected = try index.resolve()
            } catch {
                Output.error("runner: error: \(error.message)")
                throw ExitCode(2)
            }
        }
        for path in specs {
            let (spec, plan) = try options.load(path)
            var runs = plan.runs
            if let index = selected {
                guard index < runs.count else {
                    Output.error("\(path): error: --index \(index) is outside the plan's runs 0...\(runs.count - 1)")
                    throw ExitCode(2)
                }
                runs = [runs[index]]
            }
            work.append((path, plan, spec, runs))
        }

        // Load each dataset the remaining runs need, once, before training anything.
        var datasets: [String: MNIST.Split] = [:]
        for item in work {
            let store = RunStore(resultsRoot: results, experiment: item.plan.experiment)
            let directory = MNIST.directory(option: dataDir, spec: item.spec.dataDirectory)
            for run in item.runs where (force || !store.isDone(run)) && datasets[run.config.dataset.rawValue] == nil {
                do {
                    datasets[run.config.dataset.rawValue] = try MNIST.load(run.config.dataset.rawValue, directory: directory)
                } catch {
                    Output.error(error.description)
                    throw ExitCode(3)
                }
            }
        }

        BLAS.setThreads(1)
        let cancellation = Cancellation()
        let signalled = Atomic<Int32>(0)
        let trap = SignalTrap(cancellation: cancellation) { sig in
            signalled.store(sig, ordering: .relaxed)
            Output.error("runner: stopping after the current batch (\(sig == SIGINT ? "interrupt" : "terminate")); "
                + "finished epochs are kept. Press Ctrl-C again to quit at once.")
        }
        defer { withExtendedLifetime(trap) {} }

        var failures: [String] = []
        var busy: [String] = []
        var interrupted = false
        for item in work {
            if cancellation.isCancelled { interrupted = true; break }
            let store = RunStore(resultsRoot: results, experiment: item.plan.experiment)
            do {
                try store.writePlan(item.plan)
            } catch {
                Output.error(error.description)
                throw ExitCode(4)
            }
            let mode = ProgressDisplay.mode(quiet: quiet)
            if mode != .quiet && index == nil { Output.out(item.plan.table(specPath: item.path)) }
            let display = ProgressDisplay(mode: mode, plan: item.plan, jobs: jobs)
            let summaryLock = Mutex(())
            let writeErrors = Mutex<[String]>([])
            let scheduler = Scheduler(
                store: store, executor: TrainingExecutor(store: store, datasets: datasets),
                options: .init(jobs: jobs, force: force, failFast: failFast), cancellation: cancellation
            ) { event in
                display.handle(event)
                if case .finished = event {
                    summaryLock.withLock { _ in
                        do throws(AtomicFile.WriteError) { try Charts.refresh(store) } catch { writeErrors.withLock { $0.append(error.description) } }
                    }
                }
            }
            let outcomes = scheduler.run(item.runs)
            for (run, outcome) in zip(item.runs, outcomes) {
                guard let outcome else { interrupted = true; continue }
                switch outcome {
                case .diverged, .failed: failures.append("\(item.plan.experiment) \(run.index) \(run.name) (\(run.id))")
                case .interrupted: interrupted = true
                case .busy: busy.append("\(item.plan.experiment) \(run.index) \(run.name) (\(run.id))")
                default: break
                }
            }
            for message in writeErrors.withLock({ $0 }) { Output.error(message) }
            if !quiet {
                Output.out("summary: \(store.directory)/summary.csv, charts: \(store.directory)/accuracy.svg, loss.svg\n")
            }
        }
        if !failures.isEmpty {
            Output.error("\(failures.count) run(s) failed or diverged (see their status.json):\n  " + failures.joined(separator: "\n  "))
        }
        if !busy.isEmpty {
            Output.error("\(busy.count) run(s) were being trained by another runner on the same results folder "
                + "and were left to it:\n  " + busy.joined(separator: "\n  "))
        }
        let sig = signalled.load(ordering: .relaxed)
        if sig != 0 { throw ExitCode(128 + sig) }
        if !failures.isEmpty { throw ExitCode(1) }
        if interrupted || !busy.isEmpty { throw ExitCode(1) }
    }
}
