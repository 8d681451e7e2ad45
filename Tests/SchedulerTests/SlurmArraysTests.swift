import Experiments
import SpecYAML
import Testing
@testable import Scheduler

/// The job arrays' scripts, built without the binary or a cluster.
@Suite struct SlurmArraysTests {
    func inputs(runs: Int, indices: [Int]? = nil, perTask: Int = 1, arraySize: Int = 1001) throws -> SlurmArrays.Inputs {
        let plan = try Plan(try ExperimentSpec.parse(Source(name: "s.yaml", text: "name: s\nrepeats: \(runs)\n"), defaultName: "s"))
        var settings = SlurmSettings()
        settings.runsPerTask = perTask
        settings.cpus = perTask
        settings.time = "1:00:00"
        return SlurmArrays.Inputs(plan: plan, specArgument: "s.yaml", specPath: "/w/s.yaml", indices: indices ?? Array(0..<runs),
                                  settings: settings, arraySize: arraySize, binary: "/bin/runner", results: "/w/results",
                                  dataDirectory: "/w/data", workingDirectory: "/w", scriptPath: "/w/results/s/slurm/s.sbatch",
                                  logs: "/w/results/s/slurm/logs")
    }

    @Test func runsPackIntoTasksAndTasksIntoArrays() throws {
        let arrays = try SlurmArrays(try inputs(runs: 10, indices: [0, 1, 2, 4, 5, 6, 7, 9], perTask: 3, arraySize: 2))
        #expect(arrays.tasks == [[0, 1, 2], [4, 5, 6], [7, 9]])
        #expect(arrays.arrays.map(\.count) == [2, 1])
        #expect(arrays.scripts.map(\.path) == ["/w/results/s/slurm/s.1.sbatch", "/w/results/s/slurm/s.2.sbatch"])
        #expect(arrays.scripts.map(\.tasks) == [2, 1])
        let first = arrays.scripts[0].text
        #expect(first.contains("#SBATCH --array=0-1\n#SBATCH --output=/w/results/s/slurm/logs/%x_%A_%a.out\n"))
        #expect(first.contains("#SBATCH --cpus-per-task=3\n#SBATCH --time=1:00:00\n"))
        #expect(first.contains("tasks=(\n  0-2\n  4-6\n)\n"))
        #expect(first.contains("array 1 of 2 (the cluster takes 2 tasks an array)."))
        let digest = arrays.scripts[1].text.split(separator: "\n").last!
        #expect(digest == "exec /bin/runner /w/s.yaml --index \"${tasks[$SLURM_ARRAY_TASK_ID]}\" --jobs 3 --quiet "
            + "--results /w/results --data-dir /w/data --expect-plan \(try inputs(runs: 10).plan.digest)")
    }

    @Test func oneArrayKeepsThePlainName() throws {
        let arrays = try SlurmArrays(try inputs(runs: 4))
        #expect(arrays.scripts.map(\.path) == ["/w/results/s/slurm/s.sbatch"])
        #expect(arrays.scripts[0].text.contains("#SBATCH --array=0-3\n"))
    }

    /// Every word the task's command line takes from the user is one shell word, whatever it holds.
    @Test func wordsFromTheUserStayOneShellWord() throws {
        var i = try inputs(runs: 2)
        i.binary = "/opt/my runner/runner"
        i.overrides = ["lr=0.1; rm -rf ~", "dropout='0.5'"]
        i.workingDirectory = "/home/a b"
        let text = try SlurmArrays(i).scripts[0].text
        #expect(text.contains("cd '/home/a b'\n"))
        #expect(text.contains("exec '/opt/my runner/runner' /w/s.yaml"))
        #expect(text.contains("--set 'lr=0.1; rm -rf ~' --set 'dropout='\\''0.5'\\'''"))
        #expect(SlurmArrays.shellQuote("") == "''" && SlurmArrays.shellQuote("é") == "'é'")
        #expect(SlurmArrays.ranges([0, 1, 2, 3, 5, 7, 8, 9]) == "0-3,5,7-9")
    }

    /// Nothing from a name or a path can end a comment line or an #SBATCH line and start a
    /// command or a directive (issue 22: a spec named $'x\ntouch PWNED\n.yaml' ran the command).
    @Test func controlCharactersNeverReachTheScriptRaw() throws {
        var i = try inputs(runs: 2)
        i.specArgument = "x\ntouch PWNED\n.yaml"
        i.invocation = "slurm 'x\ntouch PWNED\n.yaml'"
        let text = try SlurmArrays(i).scripts[0].text
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("touch") })
        #expect(text.contains("for x\\ntouch PWNED\\n.yaml: "))
        for (path, keyPath) in [("/w/a\nb/s.yaml", \SlurmArrays.Inputs.specPath), ("/r\u{1B}]0;x", \.results),
                                ("/bin/r\nx", \.binary), ("/w\r", \.workingDirectory)] {
            var bad = try inputs(runs: 2)
            bad[keyPath: keyPath] = path
            #expect(throws: SlurmArrays.Refusal.self) { _ = try SlurmArrays(bad) }
        }
        var logs = try inputs(runs: 2)
        logs.logs = "/w/my results/logs"
        let refusal = #expect(throws: SlurmArrays.Refusal.self) { _ = try SlurmArrays(logs) }
        #expect(refusal?.message.contains("#SBATCH --output cannot take") == true)
    }
}
