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
