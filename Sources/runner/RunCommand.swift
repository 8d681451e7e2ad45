import ArgumentParser
import Datasets
import Experiments
import Foundation
import MLP
import Reporting
import Results
import SpecYAML
import Scheduler
import Training
import Synchronization

/// `runner SPEC...`: train every run of each spec.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train every run of each spec (the default command).",
        discussion: """
            Results go to RESULTS/<experiment>/<run-id>/ (config.json, metrics.csv, status.json), \
            with summary.csv, accuracy.svg (rmse.svg for regression) and loss.svg beside them. Runs already done with the \
            same config are skipped and interrupted runs resume from their last finished epoch; \
            --force trains everything again.

            Exit status: 0 every run done or diverged (diverged runs are listed); 1 a run failed \
            or was left unfinished; 2 invalid spec, override or index; 3 missing or corrupt data; \
            4 results could not be written; 64 bad usage; 130/143 interrupted.
            """)

    @Argument(help: "Experiment specs (YAML).")
    var specs: [String]

    @OptionGroup var options: SpecOptions

    @Option(help: ArgumentHelp("Folder holding the datasets (default: $RUNNER_DATA_DIR, the spec's data_dir, or data).",
                               valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Folder the results go to.", valueName: "dir"))
    var results: String = "results"

    @Option(name: [.customShort("j"), .customLong("jobs")],
            help: ArgumentHelp("Runs trained at once, each on one core (default: the number of cores).", valueName: "n"))
    var jobsOption: Int?

    /// Runs at once: `--jobs`, else one per core.
    var jobs: Int { jobsOption ?? ProcessInfo.processInfo.activeProcessorCount }

    @Option(help: ArgumentHelp("""
        Threads each run's matrix products and weight steps are split over (default: the cores the runs         trained at once leave free, at least 1). Any number gives the same numbers, bit for bit.
        """, valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("""
        Train only run I of the plan (row I of `runner plan --format tsv`), or the runs of a list such as \
        0,2,5-9, for xargs and job arrays; `env` reads the array index from SLURM_ARRAY_TASK_ID, SGE_TASK_ID, PBS_ARRAY_INDEX, LSB_JOBINDEX, \
        JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX.
        """, valueName: "I|env"))
    var index: RunIndex?

    @Option(help: ArgumentHelp("Refuse to train unless the plan's digest is this one (job arrays pin their plan so).",
                               valueName: "digest"))
    var expectPlan: String?

    @Flag(help: "Train runs again even when their results are complete.")
    var force = false

    @Flag(help: "Stop the sweep at the first failed or diverged run.")
    var failFast = false

    @Flag(help: "Train runs that diverged in an earlier invocation again (otherwise they are kept as results).")
    var retryDiverged = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        guard !specs.isEmpty else { throw ValidationError("give at least one spec, e.g. experiments/relu_dropout.yaml") }
        guard jobsOption.map({ $0 >= 1 }) ?? true else { throw ValidationError("--jobs must be at least 1") }
        guard threads.map({ $0 >= 1 && $0 <= 256 }) ?? true else { throw ValidationError("--threads must be in 1...256") }
        if index != nil && specs.count != 1 { throw ValidationError("--index takes exactly one spec") }
    }

    func run() throws {
        // Plan everything first: a broken spec stops the command before anything is written.
        var work: [(path: String, plan: Plan, spec: ExperimentSpec, runs: [Run])] = []
        var selected: [Int]?
        if let index {
            do throws(RunIndex.IndexError) {
                selected = try index.resolve()
            } catch {
                Output.error("runner: error: \(error.message)")
                throw ExitStatus.invalidInput.code
            }
        }
        for path in specs {
            var (spec, plan) = try options.load(path)
            if spec.search != nil, selected != nil {
                Output.error("\(path): error: a search proposes its trials from the results of earlier ones, so it runs whole: "
                    + "drop --index (batch-sweep.sh and runner slurm take grid, sampled and seeds: sweeps)")
                throw ExitStatus.invalidInput.code
            }
            if let adaptive = spec.adaptiveSeeds, selected != nil {
                // A task of one round (runner slurm submits a seeds: sweep round by round): the
                // index counts in the round the runs on disk stand at.
                let store = RunStore(resultsRoot: results, experiment: plan.experiment)
                plan = try SeedRounds(adaptive).standing(spec: spec, store: store, planned: { counts in
                    try options.plan(spec, seedCounts: counts)
                }, finished: { store.isFinished($0) }).plan
            }
            let runs: [Run]
            do throws(Plan.SelectionError) {
                runs = try plan.runs(at: selected, expecting: expectPlan)
            } catch {
                Output.error("\(path): error: \(error.message)")
                throw ExitStatus.invalidInput.code
            }
            work.append((path, plan, spec, runs))
        }

        // Load each dataset the remaining runs need, once, before training anything.
        var datasets: [String: DatasetSplit] = [:]
        for item in work {
            let store = RunStore(resultsRoot: results, experiment: item.plan.experiment)
            let directory = DatasetRegistry.directory(option: dataDir, spec: item.spec.dataDirectory)
            // A search's later batches train on its first batch's data (dataset is never searched).
            // (A seeds: sweep's later rounds too: whether it adds seeds depends on the figures.)
            let searching = item.spec.search.map { !SearchScheduler.isComplete($0, in: store) } ?? (item.spec.adaptiveSeeds != nil)
            for run in item.runs where (force || searching
                                        || !store.isFinished(run, retryDiverged: retryDiverged, acceptPruned: item.plan.pruning != nil)) {
                let key = run.config.dataKey
                if datasets[key] == nil {
                    do {
                        switch run.config.dataset {
                        case .named(let name):
                            datasets[key] = try DatasetRegistry.load(name.rawValue, directory: directory)
                            // Parsed and well-formed; now the published bytes (cached by size and time).
                            try DatasetVerifier.verify(name.rawValue, directory: directory, checksums: DataCommand.checksums())
                        case .files(let files):
                            datasets[key] = try FileDatasetLoader.load(files, task: run.config.task)
                        }
                    } catch {
                        Output.error(error.description)
                        throw ExitStatus.dataMissing.code
                    }
                }
                // The rules that need the data's counts and shape (a file dataset's are known only now).
                if case .files = run.config.dataset, let data = datasets[key] {
                    if let problem = run.config.problems(trainCount: data.train.count, testCount: data.test.count).first {
                        Output.error("\(item.path): error: \(run.name): \(problem.message)")
                        throw ExitStatus.invalidInput.code
                    }
                    let limit = options.maxMemory?.bytes ?? Plan.defaultMemoryLimit
                    let bytes = run.config.estimatedBytes(inputs: data.train.pixelsPerImage, classes: data.train.classes,
                                                          trainCount: data.train.count, bytesPerInput: data.train.isFloat ? 4 : 1)
                    if bytes > limit {
                        Output.error("\(item.path): error: \(run.name): a run on this data (\(data.train.count) examples of "
                            + "\(data.train.pixelsPerImage) features) needs about \(Plan.size(bytes)) of memory, more than the limit "
                            + "of \(Plan.size(limit)); make it smaller, or raise the limit with --max-memory")
                        throw ExitStatus.invalidInput.code
                    }
                }
            }
        }

        // Every experiment's name checked and claimed before anything trains (one step, see claim).
        try SpecOptions.claim(work.map { .init(store: RunStore(resultsRoot: results, experiment: $0.plan.experiment),
                                                spec: $0.spec, specPath: $0.path) }, resultsRoot: results)

        BLAS.setThreads(1)
        let cancellation = Cancellation()
        let signalled = Atomic<Int32>(0)
        let quiet = self.quiet
        let trap = SignalTrap(cancellation: cancellation) { sig in
            signalled.store(sig, ordering: .relaxed)
            if !quiet { Output.error("runner: stopping after the current batch (\(SignalTrap.name(sig))); "
                + "finished epochs are kept. Press Ctrl-C again to quit at once.") }
        }
        defer { withExtendedLifetime(trap) {} }

        let stamp = Provenance.Stamp(runner: "\(Version.number) (commit \(Version.commit))", engine: Version.engine)
        var tally = SweepTally()
        for item in work {
            if cancellation.isCancelled { tally.markInterrupted(); break }
            let store = RunStore(resultsRoot: results, experiment: item.plan.experiment)
            let planChanged: Bool
            do {
                planChanged = try store.writePlan(item.plan)
            } catch {
                Output.error(error.description)
                throw ExitStatus.unwritable.code
            }
            let mode = ProgressDisplay.mode(quiet: quiet)
            if mode != .quiet && index == nil { Output.out(item.plan.table(specPath: item.path)) }
            let display = ProgressDisplay(mode: mode, plan: item.plan, jobs: jobs, runs: item.spec.search?.trials)
            // The summary and charts read every run folder: refresh them when a trained run ends
            // (at most every `summaryInterval` seconds) and once at the end, never per skip.
            let refresher = SummaryRefresher(store: store, interval: index == nil ? Self.summaryInterval : nil)
            // Cores the runs at once leave free go to each run's threads (the same bits for any number).
            let toTrain = item.runs.filter { force || !store.isFinished($0, retryDiverged: retryDiverged,
                                                                         acceptPruned: item.plan.pruning != nil) }.count
            // A search or a seeds: sweep plans its later batches as it goes: threads count jobs alone,
            // and the tally takes the final plan's runs.
            let grows = index == nil && (item.spec.search != nil || item.spec.adaptiveSeeds != nil)
            let runThreads = threads ?? item.spec.threads
                ?? max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, grows ? jobs : min(jobs, toTrain)))
            let executor = TrainingExecutor(store: store, datasets: datasets, stamp: stamp, kernels: EngineChoice.kernels,
                                            selection: item.plan.selection, threads: runThreads)
            let options = Scheduler.Options(jobs: jobs, force: force, failFast: failFast, retryDiverged: retryDiverged)
            let events: @Sendable (SchedulerEvent) -> Void = { event in
                display.handle(event)
                if case .finished(_, let outcome) = event, outcome.trained { refresher.runEnded() }
            }
            var outcomes: [RunOutcome?]
            var plan = item.plan
            if let adaptive = item.spec.adaptiveSeeds, index == nil {
                // Round by round, more seeds for the comparisons not yet decided (SeedRounds).
                (plan, outcomes) = try seedRounds(adaptive, item.spec, store: store, executor: executor, options: options,
                                                  cancellation: cancellation, events: events)
            } else if item.spec.search != nil {
                // Batch by batch, each proposed from the ones before, the proposals recorded first.
                do {
                    (plan, outcomes) = try SearchScheduler(spec: item.spec, store: store, executor: executor, options: options,
                                                           cancellation: cancellation, maxRuns: self.options.maxRuns,
                                                           memoryLimit: self.options.maxMemory?.bytes ?? Plan.defaultMemoryLimit,
                                                           events: events).run()
                } catch {
                    Output.error(error.description)
                    if case .unwritable = error { throw ExitStatus.unwritable.code }
                    throw ExitStatus.invalidInput.code
                }
            } else if let pruning = item.plan.pruning {
                // Rung by rung, the decisions recorded in the results folder (RungScheduler).
                do {
                    outcomes = try RungScheduler(store: store, executor: executor, options: options, pruning: pruning,
                                                 cancellation: cancellation, events: events).run(item.runs)
                } catch {
                    Output.error(error.description)
                    throw ExitStatus.unwritable.code
                }
            } else {
                outcomes = Scheduler(store: store, executor: executor, options: options, cancellation: cancellation,
                                     events: events).run(item.runs)
            }
            for (run, outcome) in zip(grows ? plan.runs : item.runs, outcomes) {
                tally.add(run, of: item.plan.experiment, outcome)
            }
            // With --index the task trains one run of a plan others share: the summary is
            // the job of `runner summarize` (batch-sweep.sh and the Slurm summary job run it).
            if index == nil {
                if let error = refresher.finish(planChanged: planChanged) { Output.error(error.description); tally.markUnwritable() }
                if !quiet {
                    Output.out("summary: \(store.directory)/summary.csv, charts: \(store.directory)/"
                        + (FileManager.default.fileExists(atPath: store.file("rmse.svg")) ? "rmse.svg" : "accuracy.svg") + ", loss.svg\n")
                }
            }
        }
        for paragraph in tally.report { Output.error(paragraph) }
        let sig = signalled.load(ordering: .relaxed)
        if sig != 0 { throw ExitStatus.signalled(sig) }
        switch tally.verdict {
        case .unwritable: throw ExitStatus.unwritable.code
        case .unfinished: throw ExitStatus.runsUnfinished.code
        case .complete: break
        }
    }

    /// A `seeds:` sweep: train the plan, look at every comparison (`SeedRounds`), record the
    /// round in seeds.json, give the undecided comparisons' groups more seeds, and again, until
    /// every comparison is decided or at its most seeds.
    func seedRounds(_ adaptive: AdaptiveSeeds, _ spec: ExperimentSpec, store: RunStore, executor: TrainingExecutor,
                    options: Scheduler.Options, cancellation: Cancellation,
                    events: @escaping @Sendable (SchedulerEvent) -> Void) throws -> (Plan, [RunOutcome?]) {
        let rounds = SeedRounds(adaptive)
        var counts: [RunConfig: Int] = [:], recorded: [SeedRounds.Round] = []
        // A round's plan (each configuration with its seeds so far), recorded before it trains.
        func planned(_ counts: [RunConfig: Int]) throws -> Plan {
            do {
                let plan = try Plan(spec, maxRuns: self.options.maxRuns, memoryLimit: self.options.maxMemory?.bytes ?? Plan.defaultMemoryLimit,
                                    seedCounts: counts)
                _ = try store.writePlan(plan)
                return plan
            } catch let error as YAMLError {
                Output.error(error.description)
                throw ExitStatus.invalidInput.code
            } catch {
                Output.error("\(error)")
                throw ExitStatus.unwritable.code
            }
        }
        var plan = try planned(counts)
        var outcomes: [RunOutcome?] = []
        for round in 0..<adaptive.looks {
            outcomes = Scheduler(store: store, executor: executor, options: options, cancellation: cancellation, events: events).run(plan.runs)
            if cancellation.isCancelled || outcomes.contains(where: { $0 == nil }) { break }
            let step = rounds.advance(round: round, plan: plan, spec: spec, store: store, counts: counts, earlier: recorded)
            recorded.append(step.round)
            do {
                try AtomicFile.writeJSON(recorded, to: store.file(SeedRounds.journalFile))
            } catch {
                Output.error(error.description)
                throw ExitStatus.unwritable.code
            }
            if !step.grew { break }
            counts = step.counts
            plan = try planned(counts)
        }
        return (plan, outcomes)
    }

    /// Seconds between two refreshes of the summary while a sweep trains.
    static let summaryInterval = 30.0
}
