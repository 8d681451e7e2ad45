import Foundation
import Testing

/// `search: {tpe: ...}` end to end (issue 25, item 1): the same trials for any `--jobs` and
/// after a crash between batches, the journal written before each batch trains, pruning inside
/// the batches, and the rules a search spec must follow.
@Suite(.serialized) struct SearchCLITests {
    static let spec = """
        name: tpe
        train_subset: 1500
        test_subset: 300
        validation: 300
        epochs: 2
        hidden: [24]
        select: {metric: val_accuracy, goal: max}
        search: {tpe: {trials: 9, parallel: 3, startup: 3}}
        sweep:
          lr: {log_uniform: [0.001, 0.5]}
          momentum: {uniform: [0, 0.95]}
          batch_size: {int_uniform: [16, 128], log: true}
          activation: {choice: [relu, sigmoid]}

        """

    func write(_ text: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("s.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func file(_ dir: URL, _ name: String) throws -> String {
        try String(contentsOf: dir.appendingPathComponent("results/tpe/" + name), encoding: .utf8)
    }

    @Test func theSameTrialsForAnyJobsAndAfterACrashBetweenBatches() throws {
        let one = try Binary.temporaryDirectory(), two = try Binary.temporaryDirectory(), crashed = try Binary.temporaryDirectory()
        defer { for d in [one, two, crashed] { try? FileManager.default.removeItem(at: d) } }
        let data = ["--data-dir", TrainCommandTests.dataDir, "-q"]
        #expect(try Binary.run([try write(Self.spec, in: one), "--results", one.appendingPathComponent("results").path, "-j", "1"] + data).status == 0)
        #expect(try Binary.run([try write(Self.spec, in: two), "--results", two.appendingPathComponent("results").path, "-j", "2"] + data).status == 0)
        let journal = try file(one, "search.json")
        #expect(try file(two, "search.json") == journal)
        let batches = try JSONSerialization.jsonObject(with: Data(journal.utf8)) as! [[String: Any]]
        #expect(batches.count == 3 && batches.allSatisfy { ($0["ids"] as! [String]).count == 3 })
        // Nine distinct runs, every one trained, in the plan and the summary.
        let ids = batches.flatMap { $0["ids"] as! [String] }
        #expect(Set(ids).count == 9)
        #expect(try file(one, "plan.tsv").split(separator: "\n").count == 10)
        #expect(try file(one, "summary.csv").split(separator: "\n").count == 10)

        // Killed right after the second batch's proposals are recorded, before they train.
        let args = [try write(Self.spec, in: crashed), "--results", crashed.appendingPathComponent("results").path, "-j", "1"] + data
        let killed = try Binary.run(args, testPoint: "kill:write:search.json@2")
        #expect(killed.status != 0)
        let partial = try JSONSerialization.jsonObject(with: Data(try file(crashed, "search.json").utf8)) as! [[String: Any]]
        #expect(partial.count == 2)
        let resumed = try Binary.run(args)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try file(crashed, "search.json") == journal)
        for id in ids {
            let a = try String(contentsOf: one.appendingPathComponent("results/tpe/\(id)/metrics.csv"), encoding: .utf8)
            let b = try String(contentsOf: crashed.appendingPathComponent("results/tpe/\(id)/metrics.csv"), encoding: .utf8)
            // The same figures (every column but the epoch's seconds, the last).
            func figures(_ text: String) -> [String] { text.split(separator: "\n").map { String($0[..<$0.lastIndex(of: ",")!]) } }
            #expect(figures(a) == figures(b), "\(id)")
        }
        // Run again: nothing trains, nothing is proposed anew.
        let again = try Binary.run(args)
        #expect(again.status == 0)
        #expect(try file(crashed, "search.json") == journal)
    }

    /// TPE learns from the batches: the later trials' median validation accuracy beats the
    /// start-up draws' on this space (a fixed, seeded search: the same result every run).
    @Test func laterTrialsBeatTheStartupDraws() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = Self.spec.replacingOccurrences(of: "trials: 9, parallel: 3, startup: 3", with: "trials: 24, parallel: 4, startup: 8")
        #expect(try Binary.run([try write(text, in: dir), "--results", dir.appendingPathComponent("results").path, "-j", "2",
                                "--data-dir", TrainCommandTests.dataDir, "-q"]).status == 0)
        let batches = try JSONSerialization.jsonObject(with: Data(try file(dir, "search.json").utf8)) as! [[String: Any]]
        let ids = batches.flatMap { $0["ids"] as! [String] }
        func best(_ id: String) throws -> Double {
            let rows = try String(contentsOf: dir.appendingPathComponent("results/tpe/\(id)/metrics.csv"), encoding: .utf8)
                .split(separator: "\n")
            let header = rows[0].split(separator: ",").map(String.init)
            let column = try #require(header.firstIndex(of: "val_accuracy"))
            return rows.dropFirst().map { Double($0.split(separator: ",", omittingEmptySubsequences: false)[column])! }.max()!
        }
        func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return (s[(s.count - 1) / 2] + s[s.count / 2]) / 2 }
        let startup = try ids.prefix(8).map(best), guided = try ids.suffix(8).map(best)
        #expect(median(guided) > median(startup), "start-up \(startup), last 8 \(guided)")
    }

    /// With prune:, each batch is pruned rung by rung (its decisions in its own file), and
    /// pruned trials count for TPE by the figure they reached.
    @Test func pruningInsideTheBatches() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = Self.spec.replacingOccurrences(of: "epochs: 2", with: "epochs: 4")
            + "prune: {method: successive_halving, metric: val_accuracy, goal: max, min_epochs: 2, reduction: 3}\n"
        let r = try Binary.run([try write(text, in: dir), "--results", dir.appendingPathComponent("results").path, "-j", "2",
                                "--data-dir", TrainCommandTests.dataDir, "-q"])
        #expect(r.status == 0, "\(r.stderr)")
        for b in 0..<3 {
            let decisions = try JSONSerialization.jsonObject(with: Data(try file(dir, "pruning-batch-\(b).json").utf8)) as! [[String: Any]]
            #expect(decisions.count == 1 && (decisions[0]["kept"] as! [String]).count == 1 && (decisions[0]["pruned"] as! [String]).count == 2)
        }
    }

    /// `runner importance` on a sampled sweep (issue 25, item 4): every finished run a trial
    /// read at its selected epoch, importances that are Optuna's (its default evaluator on the
    /// exported trials, when Optuna is here), and the report's section with the
    /// parallel-coordinates chart, one line per trial.
    @Test func importanceOfASampledSweep() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = Self.spec.replacingOccurrences(of: "search: {tpe: {trials: 9, parallel: 3, startup: 3}}", with: "samples: 12")
        let results = dir.appendingPathComponent("results").path
        #expect(try Binary.run([try write(text, in: dir), "--results", results, "-j", "2", "--data-dir", TrainCommandTests.dataDir, "-q"]).status == 0)
        let folder = results + "/tpe"
        let exported = try Binary.run(["importance", folder, "--json"])
        #expect(exported.status == 0, "\(exported.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(exported.stdout.utf8)) as! [String: Any]
        let trials = doc["trials"] as! [[String: Any]]
        #expect(trials.count == 12 && doc["direction"] as? String == "maximize" && doc["metric"] as? String == "val_accuracy")
        #expect((doc["parameters"] as! [[String: Any]]).map { $0["name"] as! String } == ["lr", "momentum", "batch_size", "activation"])
        // Each trial's figure is its metrics.csv's validation accuracy at the epoch select: picks.
        for trial in trials {
            let rows = try String(contentsOfFile: folder + "/\(trial["id"] as! String)/metrics.csv", encoding: .utf8)
                .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
            let header = try String(contentsOfFile: folder + "/\(trial["id"] as! String)/metrics.csv", encoding: .utf8)
                .split(separator: "\n")[0].split(separator: ",")
            let column = try #require(header.firstIndex(of: "val_accuracy"))
            let best = rows.compactMap { Double($0[column]) }.max()!
            #expect(abs((trial["value"] as! Double) - best) < 1e-9)
        }
        let importances = (doc["importances"] as! [String: Double]).values
        #expect(abs(importances.reduce(0, +) - 1) < 1e-9)
        if let python = Binary.optunaPython {
            let path = dir.appendingPathComponent("trials.json").path
            try exported.stdout.write(toFile: path, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [Binary.repo.appendingPathComponent("scripts/importance-vs-optuna.py").path, "--check", path]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "runner's importances are not Optuna's on the exported trials")
        }
        let table = try Binary.run(["importance", folder])
        #expect(table.status == 0 && table.stdout.hasPrefix("tpe: 12 trials read by val_accuracy at each run's selected epoch"))
        #expect(table.stdout.contains("Only 2 trials of 12 make the best 10%"))
        // The report: the section, its table, and one line per trial in the chart.
        #expect(try Binary.run(["report", folder]).status == 0)
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        #expect(html.contains("<h2>Which parameters mattered</h2>") && html.contains("<table id=\"importance\">"))
        #expect(html.components(separatedBy: "<polyline class=\"trial").count == 13)
        #expect(html.components(separatedBy: "<polyline class=\"trial top\"").count == 3)
        let svg = try String(contentsOfFile: folder + "/parallel-coordinates.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.components(separatedBy: "<polyline").count == 13)
        #expect(try String(contentsOfFile: folder + "/report.md", encoding: .utf8).contains("![parallel coordinates](parallel-coordinates.svg)"))
        // Nothing to rank: exit 6 and why.
        let grid = dir.appendingPathComponent("g.yaml").path
        try "name: g\ntrain_subset: 300\ntest_subset: 100\nepochs: 1\nhidden: [8]\nsweep:\n  lr: [0.1, 0.01]\n".write(toFile: grid, atomically: true, encoding: .utf8)
        #expect(try Binary.run([grid, "--results", results, "--data-dir", TrainCommandTests.dataDir, "-q"]).status == 0)
        let none = try Binary.run(["importance", results + "/g"])
        #expect(none.status == 6 && none.stderr.contains("g samples no parameters"))
    }

    @Test func aSearchSpecFollowsItsRules() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func error(_ text: String, _ extra: [String] = []) throws -> String {
            let r = try Binary.run([try write(text, in: dir), "--results", dir.appendingPathComponent("results").path,
                                    "--data-dir", TrainCommandTests.dataDir] + extra)
            #expect(r.status == 2)
            return r.stderr
        }
        #expect(try error(Self.spec.replacingOccurrences(of: "select: {metric: val_accuracy, goal: max}\n", with: ""))
            .contains("s.yaml:7:9: error: search needs select:"))
        #expect(try error(Self.spec + "samples: 4\n").contains("drop samples"))
        #expect(try error(Self.spec + "repeats: 2\n").contains("search runs each trial once; drop repeats"))
        #expect(try error(Self.spec.replacingOccurrences(of: "activation: {choice: [relu, sigmoid]}", with: "activation: [relu, sigmoid]"))
            .contains("write the grid axis activation as a distribution"))
        #expect(try error(Self.spec.replacingOccurrences(of: "{tpe: {trials: 9, parallel: 3, startup: 3}}", with: "{tpe: {trails: 9}}"))
            .contains("unknown key 'trails' in search tpe"))
        #expect(try error(Self.spec, ["--index", "0"]).contains("drop --index"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/tpe").path))
        // The plan of a search is its first batch, said so.
        let plan = try Binary.run(["plan", try write(Self.spec, in: dir)])
        #expect(plan.status == 0 && plan.stdout.hasPrefix("tpe: a TPE search of 9 trials in batches of 3 from "))
        #expect(plan.stdout.contains("the 3 proposed so far") && plan.stdout.split(separator: "\n").count == 7)
    }
}
