import Experiments
import SpecYAML

/// The Slurm job arrays that train a plan's unfinished runs: runs packed into tasks, tasks
/// into arrays no larger than the cluster allows, and one sbatch script per array. Text only:
/// `runner slurm` decides what is unfinished, writes the files and submits them.
public struct SlurmArrays: Sendable {
    /// Everything a script needs, as it is now: paths absolute, resources merged.
    public struct Inputs: Sendable {
        public var plan: Plan
        /// The spec as given on the command line (for comments), and absolute (for the tasks).
        public var specArgument: String, specPath: String
        /// Plan indices to train, in plan order.
        public var indices: [Int]
        public var settings: SlurmSettings
        /// Most tasks in one array (the cluster's MaxArraySize).
        public var arraySize: Int
        /// The runner binary the tasks run, the results and data folders, the working folder.
        public var binary: String, results: String, dataDirectory: String, workingDirectory: String
        /// The script's path (`NAME.sbatch`; several arrays are `NAME.1.sbatch`, ...) and the logs' folder.
        public var scriptPath: String, logs: String
        /// The `--set` overrides, and `--max-runs` / `--max-memory` when not the defaults.
        public var overrides: [String] = []
        public var maxRuns: Int? = nil
        public var maxMemoryBytes: Double? = nil
        /// The invocation to repeat after failures, quoted, for the script's comment.
        public var invocation: String = ""

        public init(plan: Plan, specArgument: String, specPath: String, indices: [Int], settings: SlurmSettings,
                    arraySize: Int, binary: String, results: String, dataDirectory: String, workingDirectory: String,
                    scriptPath: String, logs: String) {
            self.plan = plan
            self.specArgument = specArgument
            self.specPath = specPath
            self.indices = indices
            self.settings = settings
            self.arraySize = arraySize
            self.binary = binary
            self.results = results
            self.dataDirectory = dataDirectory
            self.workingDirectory = workingDirectory
            self.scriptPath = scriptPath
            self.logs = logs
        }
    }

    /// One array's script.
    public struct Script: Sendable, Equatable {
        public var path: String
        public var text: String
        /// Tasks in the array (its ids run from 0 to tasks − 1).
        public var tasks: Int
    }

    /// Run indices per task, in order: `runsPerTask` consecutive unfinished runs each.
    public let tasks: [[Int]]
    /// Tasks per array, in order.
    public let arrays: [[[Int]]]
    public let scripts: [Script]

    /// Why no script can be written for these inputs.
    public struct Refusal: Error, Sendable, Equatable { public var message: String }

    /// - Throws: `Refusal` when a path holds a control character (a newline would end a line
    ///   of the script), or the logs' folder, written into `#SBATCH` lines that know no
    ///   quoting, holds whitespace or `%` (a Slurm file-name pattern).
    public init(_ inputs: Inputs) throws(Refusal) {
        let paths = [("the runner binary", inputs.binary), ("the spec", inputs.specPath), ("the results folder", inputs.results),
                     ("the data folder", inputs.dataDirectory), ("the working folder", inputs.workingDirectory),
                     ("the script", inputs.scriptPath)] + inputs.overrides.map { ("--set", $0) }
        for (what, path) in paths where path.unicodeScalars.contains(where: Terminal.isControl) {
            throw Refusal(message: "\(what) \(Terminal.safe(path)) holds a control character, which a job script "
                + "cannot carry; rename it")
        }
        if inputs.logs.unicodeScalars.contains(where: { Terminal.isControl($0) || $0 == " " || $0 == "%" }) {
            throw Refusal(message: "the logs' folder \(Terminal.safe(inputs.logs)) holds a space, a '%' or a control "
                + "character, which #SBATCH --output cannot take; use a results folder (--results) without them")
        }
        let perTask = inputs.settings.runsPerTask ?? 1, cpus = inputs.settings.cpus ?? 1
        let indices = inputs.indices
        tasks = stride(from: 0, to: indices.count, by: perTask).map { Array(indices[$0..<min($0 + perTask, indices.count)]) }
        let tasks = tasks, size = max(1, inputs.arraySize)
        arrays = stride(from: 0, to: tasks.count, by: size).map { Array(tasks[$0..<min($0 + size, tasks.count)]) }
        let plan = inputs.plan, settings = inputs.settings, count = arrays.count
        // The plan pinned by its digest: a task never trains a different run than the one it
        // was written for.
        var command = [inputs.binary, inputs.specPath, "--index", "\"${tasks[$SLURM_ARRAY_TASK_ID]}\"", "--jobs", String(cpus),
                       "--quiet", "--results", inputs.results, "--data-dir", inputs.dataDirectory, "--expect-plan", plan.digest]
            .enumerated().map { $0.offset == 3 ? $0.element : SlurmArrays.shellQuote($0.element) }
        for o in inputs.overrides { command += ["--set", SlurmArrays.shellQuote(o)] }
        if let maxRuns = inputs.maxRuns { command += ["--max-runs", String(maxRuns)] }
        if let bytes = inputs.maxMemoryBytes { command += ["--max-memory", String(Int64(bytes.rounded()))] }
        scripts = arrays.enumerated().map { part, array in
            var lines = ["#!/bin/bash",
                         "#SBATCH --job-name=runner-\(plan.experiment)",
                         "#SBATCH --array=0-\(array.count - 1)" + (settings.throttle.map { "%\($0)" } ?? ""),
                         "#SBATCH --output=\(inputs.logs)/%x_%A_%a.out",
                         "#SBATCH --error=\(inputs.logs)/%x_%A_%a.err",
                         "#SBATCH --ntasks=1",
                         "#SBATCH --cpus-per-task=\(cpus)"]
            if let t = settings.time { lines.append("#SBATCH --time=\(t)") }
            if let m = settings.mem { lines.append("#SBATCH --mem=\(m)") }
            if let p = settings.partition { lines.append("#SBATCH --partition=\(p)") }
            if let a = settings.account { lines.append("#SBATCH --account=\(a)") }
            let runs = array.reduce(0) { $0 + $1.count }
            lines += [
                "#",
                "# Written by `runner slurm` for \(Terminal.safe(inputs.specArgument)): \(runs) of the \(indices.count) unfinished runs of the "
                    + "\(plan.runs.count) in '\(plan.experiment)'"
                    + (count > 1 ? ", array \(part + 1) of \(count) (the cluster takes \(size) tasks an array)." : "."),
                "# Task T trains the runs listed at tasks[T] (indices of `runner plan \(Terminal.safe(inputs.specArgument)) --format tsv`), "
                    + "\(cpus) at a time;",
                "# runs already done are skipped. The plan is pinned (--expect-plan): after editing the spec, write the",
                "# script again. Resubmit after failures with the same command (`runner \(Terminal.safe(inputs.invocation))`):",
                "# only unfinished runs are included.",
                "set -euo pipefail",
                "tasks=(",
            ] + array.map { "  \(SlurmArrays.ranges($0))" } + [
                ")",
                "cd \(SlurmArrays.shellQuote(inputs.workingDirectory))",
                "exec " + command.joined(separator: " "),
            ]
            return Script(path: SlurmArrays.path(inputs.scriptPath, part: part, of: count),
                          text: lines.joined(separator: "\n") + "\n", tasks: array.count)
        }
    }

    /// `NAME.sbatch` for a single array; `NAME.1.sbatch`, `NAME.2.sbatch`, ... for several.
    static func path(_ base: String, part: Int, of count: Int) -> String {
        guard count > 1 else { return base }
        let stem = base.hasSuffix(".sbatch") ? String(base.dropLast(7)) : base
        return stem + ".\(part + 1).sbatch"
    }

    /// `0-3,5,7-9` for [0, 1, 2, 3, 5, 7, 8, 9].
    public static func ranges(_ indices: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < indices.count {
            var j = i
            while j + 1 < indices.count && indices[j + 1] == indices[j] + 1 { j += 1 }
            parts.append(i == j ? "\(indices[i])" : "\(indices[i])-\(indices[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }

    /// `s` as one word for a POSIX shell: bare when it holds only safe characters, else in
    /// single quotes (a quote inside as `'\''`).
    public static func shellQuote(_ s: String) -> String {
        !s.isEmpty && s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/._-=,:+@".contains($0)) }) ? s
            : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
