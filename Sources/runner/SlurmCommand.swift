import ArgumentParser
import Experiments
import Foundation
import Datasets
import Reporting
import Results
import Scheduler
import SpecYAML

/// `runner slurm SPEC`: a Slurm job array with one task per run that is not done yet.
struct SlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write (and with --submit, submit) a Slurm job array that trains a spec's runs.",
        discussion: """
            Task T of an array trains the plan indices listed for it (--runs-per-task of them, \
            --cpus at a time) against a shared results folder, pinned to the plan it was written \
            for; a task whose runs are done skips them and an interrupted one resumes. Runs already \
            done are left out; run the command again after failures or preemption to submit only \
            what is left. Plans larger than the cluster's MaxArraySize become several arrays. With \
            --submit a job dependent on the arrays (--dependency=afterany) refreshes the summary \
            and charts when they end. A seeds: sweep goes round by round: this command submits \
            the round the runs on disk stand at, and with --submit the dependent job runs it \
            again, which looks at the round (seeds.json) and submits the next, until every \
            comparison is decided. Resources come from the options, else the spec's slurm: section.
            """)

    @Argument(help: "The experiment spec (YAML).")
    var spec: String

    @OptionGroup var options: SpecOptions

    @Option(help: "Time limit per task (e.g. 30:00, 2:00:00, 1-00:00:00).") var time: String?
    @Option(help: "CPUs per task (default 1).") var cpus: Int?
    @Option(help: "Memory per task (e.g. 2G).") var mem: String?
    @Option(help: "Partition.") var partition: String?
    @Option(help: "Account to charge.") var account: String?
    @Option(help: "Most tasks running at once (--array=...%K).") var throttle: Int?

    @Option(help: ArgumentHelp("Folder the results go to (shared by every node).", valueName: "dir"))
    var results: String = "results"

    @Option(help: ArgumentHelp("Folder holding the datasets, as the nodes see it.", valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Where to write the script (default: RESULTS/<experiment>/slurm/<experiment>.sbatch).",
                               valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("The runner binary the tasks run (default: this one).", valueName: "path"))
    var runner: String?

    @Option(help: "Runs each task trains, --cpus at a time (default 1): fewer, longer tasks for short runs.")
    var runsPerTask: Int?

    @Option(help: ArgumentHelp("Most tasks in one job array (default: the cluster's MaxArraySize, from `scontrol show config`, else 1001); larger plans are split into several arrays.",
                               valueName: "n"))
    var maxArraySize: Int?

    @Flag(help: "Include runs that are already done (they will be skipped by their task).")
    var all = false

    @Flag(help: "Submit with sbatch and print the job ids.")
    var submit = false

    /// Set by the job that submits a seeds: sweep's next round: the round its arrays trained,
    /// so that a round whose runs did not all finish is not submitted again and again.
    @Option(help: .hidden) var afterRound: Int?

    func validate() throws {
        // The same checks as the spec's slurm: section: each value becomes an #SBATCH line.
        if let time, !SlurmSettings.isTime(time) {
            throw ValidationError("--time must be a time limit such as 30:00, 2:00:00 or 1-00:00:00, got '\(Terminal.safe(time))'")
        }
        if let mem, !SlurmSettings.isMemory(mem) {
            throw ValidationError("--mem must be a memory size such as 2G or 1500M, got '\(Terminal.safe(mem))'")
        }
        if let partition, !SlurmSettings.isName(partition) {
            throw ValidationError("--partition must be a partition name (letters, digits, '.', '_', '-'), got '\(Terminal.safe(partition))'")
        }
        if let account, !SlurmSettings.isName(account) {
            throw ValidationError("--account must be an account name (letters, digits, '.', '_', '-'), got '\(Terminal.safe(account))'")
        }
        if let cpus, cpus < 1 { throw ValidationError("--cpus must be at least 1") }
        if let throttle, throttle < 1 { throw ValidationError("--throttle must be at least 1") }
        if let runsPerTask, runsPerTask < 1 { throw ValidationError("--runs-per-task must be at least 1") }
        if let maxArraySize, maxArraySize < 1 { throw ValidationError("--max-array-size must be at least 1") }
    }

    func run() throws {
        var (specification, plan) = try options.load(spec)
        if specification.search != nil {
            // Each batch of a search is proposed from the results of the batches before it.
            Output.error("\(spec): error: runner slurm does not run searches (search:) yet: each batch is proposed from the "
                + "results of the ones before; run the spec with runner on one machine (--jobs for parallel trials)")
            throw ExitStatus.invalidInput.code
        }
        if plan.pruning != nil {
            // A job array trains its tasks independently; a pruned sweep decides between runs at
            // every rung. Not yet: one array per rung with a dependent decision job.
            Output.error("\(spec): error: runner slurm does not run pruned sweeps (prune:) yet: their rungs decide between "
                + "runs; run the spec with runner on one machine, or drop prune: to train every run in full")
            throw ExitStatus.invalidInput.code
        }
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ p: String) -> String {
            ((p.hasPrefix("/") ? p : (cwd as NSString).appendingPathComponent(p)) as NSString).standardizingPath
        }
        let resultsDir = absolute(results)
        let store = RunStore(resultsRoot: resultsDir, experiment: plan.experiment)
        // A seeds: sweep goes round by round: the round the runs on disk stand at, its looks so
        // far recorded; with --submit a job after its arrays submits the next.
        var round: Int?
        if let adaptive = specification.adaptiveSeeds {
            let spec = specification
            let standing = try SeedRounds(adaptive).standing(spec: spec, store: store, planned: { counts in
                try options.plan(spec, seedCounts: counts)
            }, finished: { store.isFinished($0) })
            if !standing.rounds.isEmpty {
                do { try AtomicFile.writeJSON(standing.rounds, to: store.file(SeedRounds.journalFile)) } catch {
                    Output.error(error.description)
                    throw ExitStatus.unwritable.code
                }
            }
            plan = standing.plan
            if standing.decided {
                Output.out("\(plan.experiment): every comparison decided or at its most seeds after \(standing.rounds.count) "
                    + "round\(standing.rounds.count == 1 ? "" : "s") (\(store.file(SeedRounds.journalFile))); nothing to submit "
                    + "(runner summarize \(store.directory))\n")
                return
            }
            round = standing.rounds.count
            if let afterRound, afterRound == standing.rounds.count {
                Output.error("\(plan.experiment): error: round \(afterRound + 1)'s runs did not all finish (see "
                    + "\(store.directory)/slurm/logs); fix the cause and run runner slurm again to resubmit them")
                throw ExitStatus.runsUnfinished.code
            }
        }
        let indices = plan.runs.filter { all || !store.isFinished($0) }.map(\.index)
        guard !indices.isEmpty else {
            Output.out("\(plan.experiment): all \(plan.runs.count) runs are done; nothing to submit "
                + "(runner summarize \(store.directory))\n")
            return
        }
        var settings = specification.slurm
        settings.time = time ?? settings.time
        settings.cpus = cpus ?? settings.cpus
        settings.mem = mem ?? settings.mem
        settings.partition = partition ?? settings.partition
        settings.account = account ?? settings.account
        settings.throttle = throttle ?? settings.throttle
        settings.runsPerTask = runsPerTask ?? settings.runsPerTask
        let perTask = settings.runsPerTask ?? 1, taskCPUs = settings.cpus ?? 1
        if taskCPUs > perTask {
            Output.error("runner slurm: warning: --cpus \(taskCPUs) with \(perTask) run(s) per task: a run trains on one "
                + "core, so \(taskCPUs - perTask) of them would sit idle; ask for --cpus \(perTask) or --runs-per-task \(taskCPUs)")
        }

        let limits = SlurmCommand.clusterLimits()
        let binary = absolute(runner ?? Bundle.main.executablePath ?? CommandLine.arguments[0])
        let foreign = SlurmCommand.librariesOutsideTheSystem(binary)
        if !foreign.isEmpty {
            Output.error("runner slurm: warning: \(binary) loads libraries from outside the system's library folders, "
                + "which compute nodes usually lack (\(foreign.prefix(3).joined(separator: ", "))"
                + (foreign.count > 3 ? ", ..." : "") + "); build one for the nodes with scripts/build-cluster.sh "
                + "and pass it with --runner")
        }
        let slurmDir = store.directory + "/slurm"
        let logs = slurmDir + "/logs"
        // Every path as it is now, absolute (SlurmArrays writes the scripts' text).
        var inputs = SlurmArrays.Inputs(
            plan: plan, specArgument: spec, specPath: absolute(spec), indices: indices, settings: settings,
            arraySize: maxArraySize ?? limits.maxArraySize ?? SlurmCommand.defaultMaxArraySize, binary: binary,
            results: resultsDir,
            dataDirectory: absolute(DatasetRegistry.directory(option: dataDir, spec: specification.dataDirectory)),
            workingDirectory: cwd,
            scriptPath: absolute(output ?? slurmDir + "/\(plan.experiment)" + (round.map { "-round\($0 + 1)" } ?? "") + ".sbatch"),
            logs: logs)
        inputs.overrides = options.overrides
        inputs.maxRuns = options.maxRuns == Plan.defaultMaxRuns ? nil : options.maxRuns
        inputs.maxMemoryBytes = options.maxMemory?.bytes
        inputs.invocation = SlurmCommand.invocation
        let arrays: SlurmArrays
        do throws(SlurmArrays.Refusal) {
            arrays = try SlurmArrays(inputs)
        } catch {
            Output.error("runner slurm: error: \(error.message)")
            throw ExitStatus.invalidInput.code
        }
        if let maxJobs = limits.maxJobCount, arrays.tasks.count > maxJobs {
            Output.error("runner slurm: warning: \(arrays.tasks.count) tasks are more than the cluster's MaxJobCount of \(maxJobs); "
                + "raise --runs-per-task, or submit the arrays one after another")
        }
        let scripts = arrays.scripts
        try SpecOptions.claim([.init(store: store, spec: specification, specPath: spec)], resultsRoot: resultsDir)
        do {
            try AtomicFile.createRealDirectory(slurmDir)
            try AtomicFile.createRealDirectory(logs)
            for script in scripts {
                try AtomicFile.createDirectory(AtomicFile.parent(of: script.path))
                try AtomicFile.write(script.text, to: script.path)
            }
            try store.writePlan(plan)
        } catch {
            Output.error("\(error)")
            throw ExitStatus.unwritable.code
        }
        if let round {
            Output.out("\(plan.experiment): round \(round + 1) of at most \(specification.adaptiveSeeds!.looks): "
                + "\(plan.runs.count) runs, \(indices.count) to train\n")
        }
        for script in scripts {
            Output.out("wrote \(script.path): array of \(script.tasks) task(s) (0-\(script.tasks - 1)), "
                + "\(perTask) run(s) per task\n")
        }
        guard submit else {
            Output.out("submit with: " + scripts.map { "sbatch \($0.path)" }.joined(separator: "; ") + "\n")
            return
        }
        var arrayJobs: [String] = []
        for script in scripts { arrayJobs.append(try SlurmCommand.sbatch(["--parsable", script.path])) }
        // After the arrays: the summary; for a seeds: round, first this command again, which
        // looks at the round and submits the next (or says every comparison is decided).
        var wrap = "\(SlurmArrays.shellQuote(binary)) summarize \(SlurmArrays.shellQuote(store.directory))"
        if let round {
            wrap = "\(SlurmArrays.shellQuote(binary)) \(SlurmCommand.invocation) --after-round \(round); " + wrap
        }
        let summaryJob = try SlurmCommand.sbatch([
            "--parsable", "--dependency=afterany:\(arrayJobs.joined(separator: ":"))",
            "--job-name=runner-\(plan.experiment)-" + (round == nil ? "summary" : "round\(round! + 1)-next"),
            "--output=\(logs)/%x_%j.out", "--ntasks=1", "--cpus-per-task=1", "--chdir=\(cwd)",
        ] + (settings.partition.map { ["--partition=\($0)"] } ?? []) + (settings.account.map { ["--account=\($0)"] } ?? [])
          + ["--wrap", wrap])
        Output.out("submitted array job\(arrayJobs.count > 1 ? "s" : "") \(arrayJobs.joined(separator: ", ")) and "
            + (round == nil ? "summary job" : "next-round job") + " \(summaryJob) (after the array\(arrayJobs.count > 1 ? "s" : "") end)\n")
    }

    /// The shared libraries `binary` loads from outside /lib, /lib64, /usr/lib and /usr/lib64
    /// (a Swift toolchain's runtime, say), as `ldd` resolves them here; none when ldd fails.
    static func librariesOutsideTheSystem(_ binary: String) -> [String] {
        guard let text = Subprocess.output(["ldd", binary]) else { return [] }
        let system = ["/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/"]
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 3, fields[1] == "=>", fields[2].hasPrefix("/") else { return nil }
            let path = String(fields[2])
            return system.contains { path.hasPrefix($0) } ? nil : path
        }
    }

    /// Slurm's default `MaxArraySize`: array task ids run from 0 to 1000.
    static let defaultMaxArraySize = 1001

    /// `MaxArraySize` and `MaxJobCount` from `scontrol show config`, when Slurm is reachable.
    static func clusterLimits() -> (maxArraySize: Int?, maxJobCount: Int?) {
        guard let text = Subprocess.output(["scontrol", "show", "config"]) else { return (nil, nil) }
        func value(_ key: String) -> Int? {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == key, let n = Int(parts[1]), n > 0 { return n }
            }
            return nil
        }
        return (value("MaxArraySize"), value("MaxJobCount"))
    }

    /// This invocation's arguments, quoted for a shell, less the next-round job's own
    /// `--after-round N` (the command a user would type).
    static var invocation: String {
        var arguments: [String] = [], skip = false
        for argument in CommandLine.arguments.dropFirst() {
            if skip { skip = false; continue }
            if argument == "--after-round" { skip = true; continue }
            if !argument.hasPrefix("--after-round=") { arguments.append(argument) }
        }
        return arguments.map(SlurmArrays.shellQuote).joined(separator: " ")
    }

    /// Runs sbatch and returns the job id it prints with --parsable.
    static func sbatch(_ arguments: [String]) throws -> String {
        guard let result = Subprocess.run(["sbatch"] + arguments) else {
            Output.error("runner slurm: error: cannot run sbatch; is Slurm installed here?")
            throw ExitStatus.sbatchFailed.code
        }
        let text = result.stdout, message = result.stderr
        guard result.status == 0,
              let id = text.split(separator: "\n").first?.split(separator: ";").first else {
            Output.error("runner slurm: error: sbatch failed: " + message.trimmingCharacters(in: .whitespacesAndNewlines))
            throw ExitStatus.sbatchFailed.code
        }
        return String(id)
    }
}
