import Foundation
import Testing

@Suite struct PlanCommandTests {
    @Test func comparisonListsFourRunsWithIds() throws {
        let r = try Binary.run(["plan", "Tests/Fixtures/specs/comparison.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first == "comparison: 4 runs from Tests/Fixtures/specs/comparison.yaml")
        let runs = lines.filter { $0.contains("activation=") && !$0.hasPrefix("shared") }
        #expect(runs.count == 4)
        #expect(runs[0].hasSuffix("activation=sigmoid,dropout=0.0"))
        #expect(runs[3].hasSuffix("activation=relu,dropout=0.5"))
        // The last line estimates the sweep's time from the engine measured just now.
        let estimate = String(lines.last ?? "")
        #expect(estimate.hasPrefix("estimated time: about ") && estimate.contains(" GFLOP/s a core"), "\(estimate)")
    }

    @Test func jsonParsesAndIdsAreStable() throws {
        let a = try Binary.run(["plan", "Tests/Fixtures/specs/comparison.yaml", "--format", "json"])
        let b = try Binary.run(["plan", "Tests/Fixtures/specs/comparison.yaml", "--format", "json"])
        #expect(a.status == 0 && a.stdout == b.stdout)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? [String: Any])
        #expect(object["experiment"] as? String == "comparison")
        let runs = try #require(object["runs"] as? [[String: Any]])
        #expect(runs.count == 4)
        let config = try #require(runs[3]["config"] as? [String: Any])
        #expect(config["activation"] as? String == "relu")
        #expect(config["hidden"] as? [Int] == [512, 256])
        #expect(config["epochs"] as? Int == 20)
    }

    /// Sampled values are the same in every process (nothing depends on the process: no
    /// random seed from the clock, no hash seeding), and the plan shows them.
    @Test func sampledDrawsAreTheSameAcrossProcesses() throws {
        let a = try Binary.run(["plan", "experiments/lr_search.yaml", "--format", "json"])
        let b = try Binary.run(["plan", "experiments/lr_search.yaml", "--format", "json"])
        #expect(a.status == 0 && a.stdout == b.stdout)
        let runs = try #require((try JSONSerialization.jsonObject(with: Data(a.stdout.utf8)) as? [String: Any])?["runs"] as? [[String: Any]])
        let draws = runs.compactMap { $0["config"] as? [String: Any] }.map { c in
            ["lr", "momentum", "dropout"].map { c[$0] as? Double ?? -1 }
        }
        #expect(runs.count == 30 && Set(draws).count == 30)
        let table = try Binary.run(["plan", "experiments/lr_search.yaml"])
        #expect(table.stdout.contains("dropout=0.02527,lr=0.04293,momentum=0.2012"), "\(table.stdout.prefix(600))")
    }

    @Test func tsvHasAHeaderAndOneRowPerRun() throws {
        let r = try Binary.run(["plan", "Tests/Fixtures/specs/comparison.yaml", "--format", "tsv"])
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        #expect(rows.count == 5)
        #expect(rows[0].prefix(4) == ["index", "id", "name", "activation"])
        #expect(rows.allSatisfy { $0.count == rows[0].count })
        #expect(rows[2][0] == "1" && rows[2][3] == "sigmoid" && rows[2][4] == "0.5")
    }

    @Test func setChangesOnlyTheRunsItTouches() throws {
        let base = try Binary.run(["plan", "Tests/Fixtures/specs/comparison.yaml", "--format", "tsv"])
        let changed = try Binary.run(["plan", "Tests/Fixtures/specs/comparison.yaml", "--format", "tsv",
                                      "--set", "activation=relu"])
        let ids = { (r: Binary.Result) in r.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: "\t")[1] } }
        #expect(ids(changed) == Array(ids(base).suffix(2)))
    }

    @Test func shippedSpecsAllPlan() throws {
        for spec in ["sigmoid_dropout", "relu_dropout", "comparison", "sigmoid_dropout_long"] {
            let r = try Binary.run(["plan", "experiments/\(spec).yaml"])
            #expect(r.status == 0, "\(spec): \(r.stderr)")
        }
    }
}

/// Broken specs: exact message on stderr, exit status 2, nothing on stdout, nothing written.
@Suite struct SpecErrorCLITests {
    func check(_ text: String, _ expected: String, args: [String] = []) throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(text.utf8).write(to: dir.appendingPathComponent("bad.yaml"))
        for command in [["plan", "bad.yaml"], ["bad.yaml"]] {
            let r = try Binary.run(command + args, in: dir)
            #expect(r.status == 2)
            #expect(r.stdout == "")
            #expect(r.stderr == expected + "\n")
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(files == ["bad.yaml"])
        }
    }

    @Test func tab() throws {
        try check("activation: relu\nsweep:\n\tdropout: [0.1]\n", """
            bad.yaml:3:1: error: tabs are not allowed in YAML indentation; indent with spaces
            \tdropout: [0.1]
            ^
            """)
    }

    @Test func unknownKey() throws {
        try check("activaton: relu\n", """
            bad.yaml:1:1: error: unknown key 'activaton' in a spec; did you mean 'activation'?
            activaton: relu
            ^
            """)
    }

    @Test func dropoutOutOfRange() throws {
        try check("dropout: 1.5\n", """
            bad.yaml:1:10: error: dropout must be a number in [0, 1), got 1.5
            dropout: 1.5
                     ^
            """)
    }

    @Test func epochsNotANumber() throws {
        try check("activation: relu\nepochs: ten\n", """
            bad.yaml:2:9: error: epochs must be an integer in 1...1000000, got 'ten'
            epochs: ten
                    ^
            """)
    }

    @Test func unterminatedFlowList() throws {
        try check("sweep:\n  dropout: [0.0, 0.5\n", """
            bad.yaml:2:12: error: this flow list is never closed; add a ',' between items and a closing ']'
              dropout: [0.0, 0.5
                       ^
            """)
    }

    @Test func badOverride() throws {
        try check("epochs: 2\n", """
            --set:1:8: error: epochs must be an integer in 1...1000000, got 0
            epochs=0
                   ^
            """, args: ["--set", "epochs=0"])
    }

    @Test func missingAndDirectorySpecs() throws {
        let missing = try Binary.run(["plan", "experiments/nope.yaml"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "experiments/nope.yaml: error: no such spec file; check the path (specs live in experiments/)\n")
        let directory = try Binary.run(["plan", "experiments"])
        #expect(directory.status == 2)
        #expect(directory.stderr == "experiments: error: is a directory; give a spec file such as experiments/NAME.yaml\n")
    }
}
