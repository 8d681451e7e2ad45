import Foundation
import Testing

/// What a new user tripped on, each through the built binary.
@Suite struct NewUserCommandTests {
    static let commands = [["--help"], ["plan", "--help"], ["summarize", "--help"], ["compare", "--help"],
                           ["report", "--help"], ["slurm", "--help"], ["data", "--help"], ["data", "fetch", "--help"]]

    /// Help texts wrap their own lines: no literal backslash is left at a line's end.
    @Test(arguments: commands)
    func helpHasNoLiteralBackslashes(_ args: [String]) throws {
        let r = try Binary.run(args)
        #expect(r.status == 0)
        let bad = r.stdout.split(separator: "\n").filter { $0.hasSuffix("\\") }
        #expect(bad.isEmpty, "\(bad)")
    }

    @Test func bareRunnerPrintsHelp() throws {
        let r = try Binary.run([])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("OVERVIEW: Run sweeps of small neural-network experiments"))
        #expect(r.stdout.contains("SUBCOMMANDS:") && r.stderr == "")
    }

    @Test func aParameterGivenAsASecondSpecSuggestsSet() throws {
        let r = try Binary.run(["Tests/Fixtures/specs/comparison.yaml", "epochs=3"])
        #expect(r.status == 2)
        #expect(r.stderr == "epochs=3: error: no such spec file; to set a parameter write --set epochs=3\n")
    }

    @Test func anotherToolsNameForAParameterGetsADidYouMean() throws {
        let r = try Binary.run(["plan", "Tests/Fixtures/specs/comparison.yaml", "--set", "learning_rate=0.1"])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("--set:1:1: error: unknown key 'learning_rate' in --set; did you mean 'lr'?\n"))
        let data = try Binary.run(["data", "fech"])
        #expect(data.status == 64)
        #expect(data.stderr == "runner: error: unknown command 'data fech'; did you mean 'runner data fetch'?\n")
    }

    /// Hydra's multirun: a list given to --set is a sweep axis.
    @Test func aListGivenToSetIsASweepAxis() throws {
        let r = try Binary.run(["plan", "Tests/Fixtures/specs/comparison.yaml", "--set", "lr=[0.1,0.01]",
                                "--set", "hidden=[[8],[16, 8]]", "--format", "tsv"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        let header = lines[0].split(separator: "\t", omittingEmptySubsequences: false)
        let lr = header.firstIndex(of: "lr")!, hidden = header.firstIndex(of: "hidden")!
        let pairs = Set(lines.dropFirst().map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            return "\(f[lr]) \(f[hidden])"
        })
        #expect(pairs == ["0.1 8", "0.1 16x8", "0.01 8", "0.01 16x8"])
        #expect(lines.count - 1 == 4 * 4)  // the spec's 4 runs for each of the 4 new combinations
        let bad = try Binary.run(["plan", "Tests/Fixtures/specs/comparison.yaml", "--set", "lr=[0.1,-1]"])
        #expect(bad.status == 2)
        #expect(bad.stderr == "--set:1:9: error: lr must be a number > 0, got -1\nlr=[0.1,-1]\n        ^\n")
    }

    /// Every mistake of a spec at once, each at its position, in one run.
    @Test func aSpecWithSeveralMistakesReportsEach() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "name: t\nlearning_rate: 0.1\nactivation: swish\ndropout: 2\nepochs: 3\n"
            .write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let r = try Binary.run(["plan", "bad.yaml", "--set", "epochs=0"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr == """
            bad.yaml:2:1: error: unknown key 'learning_rate' in a spec; did you mean 'lr'?
            learning_rate: 0.1
            ^
            bad.yaml:3:13: error: activation must be one of sigmoid, relu, tanh; got 'swish'
            activation: swish
                        ^
            bad.yaml:4:10: error: dropout must be a number in [0, 1), got 2
            dropout: 2
                     ^
            --set:1:8: error: epochs must be an integer in 1...1000000, got 0
            epochs=0
                   ^

            """)
    }

    /// `-q` is quiet when stopped, too; and a report of one run says "1 run in 1 group".
    @Test func quietStopsQuietlyAndCountsAgree() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "name: one\nepochs: 2\ntrain_subset: 300\ntest_subset: 100\nhidden: [8]\n"
            .write(to: dir.appendingPathComponent("one.yaml"), atomically: true, encoding: .utf8)
        let args = [dir.appendingPathComponent("one.yaml").path, "--results", dir.path, "--data-dir",
                    TrainCommandTests.dataDir, "-q"]
        let stopped = try Binary.run(args, testPoint: "stop:batch@3") { kill($0.processIdentifier, SIGTERM) }
        #expect(stopped.status == 143)
        #expect(stopped.stdout == "" && stopped.stderr == "runner: test point batch@3: stop\n", "\(stopped.stderr)")
        let rerun = try Binary.run(args)
        #expect(rerun.status == 0 && rerun.stdout == "" && rerun.stderr == "", "\(rerun.stderr)")
        let report = try String(contentsOf: dir.appendingPathComponent("one/report.md"), encoding: .utf8)
        #expect(report.contains("1 run in 1 group (runs that differ only in seed)"))
    }
}
