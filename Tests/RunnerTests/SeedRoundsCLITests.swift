import Foundation
import Testing

/// `seeds: {start, max, until: {compare, width}}` end to end (issue 25, item 2): rounds of
/// seeds until each comparison is decided, recorded in seeds.json; earlier runs keep their ids;
/// the same rounds for any --jobs and after a kill between rounds; the report says why each
/// comparison stopped; the rules of such a spec.
@Suite(.serialized) struct SeedRoundsCLITests {
    static let spec = """
        name: ad
        train_subset: 1000
        test_subset: 300
        epochs: 2
        hidden: [16]
        seeds: {start: 3, max: 12, until: {compare: activation, width: 0.5}}
        sweep:
          activation: [sigmoid, relu]
          dropout: [0.0, 0.5]

        """

    func run(_ text: String, in dir: URL, _ extra: [String] = [], testPoint: String? = nil) throws -> Binary.Result {
        let path = dir.appendingPathComponent("a.yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let args = [path, "--results", dir.appendingPathComponent("results").path, "--data-dir", TrainCommandTests.dataDir, "-q"] + extra
        return try testPoint.map { try Binary.run(args, testPoint: $0) } ?? Binary.run(args)
    }

    func journal(_ dir: URL) throws -> [[String: Any]] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("results/ad/seeds.json"))) as! [[String: Any]]
    }

    func runIDs(_ dir: URL) throws -> Set<String> {
        let folder = dir.appendingPathComponent("results/ad")
        return Set(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0)/config.json").path) })
    }

    @Test func roundsUntilDecidedTheSameForAnyJobsAndAfterAKill() throws {
        let one = try Binary.temporaryDirectory(), two = try Binary.temporaryDirectory(), killed = try Binary.temporaryDirectory()
        defer { for d in [one, two, killed] { try? FileManager.default.removeItem(at: d) } }
        #expect(try run(Self.spec, in: one, ["-j", "1"]).status == 0)
        let rounds = try journal(one)
        #expect(rounds.count >= 2)
        // Round one: 3 seeds a group, too few for its tiny share of α; then more seeds.
        let first = rounds[0]["looks"] as! [[String: Any]]
        #expect(first.count == 2 && first.allSatisfy { $0["decision"] as! String == "go on" && $0["seeds"] as! [Int] == [3, 3] })
        // Every comparison ends decided or at the most seeds, and the folders hold exactly the seeds the last round planned.
        let last = rounds.last!
        let next = last["next"] as! [String: Int]
        #expect(try runIDs(one).count == next.values.reduce(0, +))
        let decisions = rounds.flatMap { $0["looks"] as! [[String: Any]] }
        for comparison in ["relu vs sigmoid at dropout=0.0", "relu vs sigmoid at dropout=0.5"] {
            let final = decisions.last { $0["comparison"] as! String == comparison }!
            let seeds = final["seeds"] as! [Int]
            #expect(["difference", "narrow"].contains(final["decision"] as! String) || seeds.allSatisfy { $0 == 12 })
        }
        // The same rounds with two jobs.
        #expect(try run(Self.spec, in: two, ["-j", "2"]).status == 0)
        #expect(try Data(contentsOf: two.appendingPathComponent("results/ad/seeds.json"))
                == Data(contentsOf: one.appendingPathComponent("results/ad/seeds.json")))
        // Killed right after the first round is recorded; the rerun goes on to the same end.
        #expect(try run(Self.spec, in: killed, testPoint: "kill:write:seeds.json@1").status != 0)
        #expect(try journal(killed).count == 1)
        let round1 = try runIDs(killed)
        #expect(try run(Self.spec, in: killed).status == 0)
        #expect(try Data(contentsOf: killed.appendingPathComponent("results/ad/seeds.json"))
                == Data(contentsOf: one.appendingPathComponent("results/ad/seeds.json")))
        // Earlier runs kept their ids: round one's folders are among the final ones.
        let after = try runIDs(killed), uninterrupted = try runIDs(one)
        #expect(round1.isSubset(of: after) && after == uninterrupted)
        // The report says why each comparison stopped.
        let report = try String(contentsOf: one.appendingPathComponent("results/ad/report.md"), encoding: .utf8)
        #expect(report.contains("## Seeds until decided") && report.contains("relu vs sigmoid at dropout=0.5: "))
    }

    @Test func aSeedsSpecFollowsItsRules() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func error(_ text: String, _ extra: [String] = []) throws -> String {
            let r = try run(text, in: dir, extra)
            #expect(r.status == 2)
            return r.stderr
        }
        #expect(try error(Self.spec + "repeats: 2\n").contains("drop repeats"))
        #expect(try error(Self.spec.replacingOccurrences(of: "compare: activation", with: "compare: lr"))
            .contains("a.yaml:6:8: error: seeds until compare: lr is not a grid axis of this sweep; compare one of activation, dropout"))
        #expect(try error(Self.spec.replacingOccurrences(of: "max: 12", with: "max: 2")).contains("seeds max (2) must be at least start (3)"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/ad").path))
        // The plan says what it is: the first round, more to come.
        try Self.spec.write(to: dir.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        let plan = try Binary.run(["plan", dir.appendingPathComponent("a.yaml").path])
        #expect(plan.status == 0 && plan.stdout.hasPrefix("ad: seeds until each activation comparison is decided, 3 to 12 a "
            + "configuration in rounds of 3, from ") && plan.stdout.contains("the 12 runs planned so far"))
    }
}
