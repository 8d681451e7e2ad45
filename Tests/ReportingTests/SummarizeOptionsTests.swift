import Experiments
import Foundation
import Results
import Testing
import Vocabulary
@testable import Reporting

/// `summarize`'s options work alike in the group view and the run view, and small samples are
/// drawn within the metric's range and flagged.
@Suite struct SummarizeOptions {
    /// Two groups (lr 0.1 and 0.01) of two seeds each, with the given final accuracies.
    func summary(_ accuracies: [Double: [Double]], validation: Bool = false, seconds: Double = 1) -> Summary {
        var rows: [Summary.Row] = []
        for lr in accuracies.keys.sorted(by: >) {
            for (s, accuracy) in accuracies[lr]!.enumerated() {
                var config = RunConfig()
                config.lr = lr
                config.seed = s + 1
                let m = EpochMetrics(epoch: 1, trainLoss: 1, testLoss: 2 - accuracy / 100, testAccuracy: accuracy,
                                     epochSeconds: seconds, valLoss: validation ? 1 : nil, valAccuracy: validation ? 100 - accuracy : nil)
                rows.append(Summary.Row(index: rows.count, id: "id\(rows.count)", name: "lr=\(lr),seed=\(s + 1)", config: config,
                                        status: "done", epochsDone: 1, epochs: 1, metrics: [m], seconds: seconds))
            }
        }
        return Summary(experiment: "e", rows: rows)
    }

    @Test func groupsSortByTheSameKeysAsRuns() {
        let s = summary([0.1: [90, 92], 0.01: [95, 97]], validation: true)
        let groups = Groups(s)
        #expect(groups.groups.map(\.name) == ["lr=0.1", "lr=0.01"])
        #expect(groups.sorted(by: .finalTestAccuracy).groups.map(\.name) == ["lr=0.01", "lr=0.1"])
        #expect(groups.sorted(by: .finalTestLoss).groups.map(\.name) == ["lr=0.01", "lr=0.1"])
        // Validation accuracy here is 100 - test accuracy: the other way round.
        #expect(groups.sorted(by: .finalValAccuracy).groups.map(\.name) == ["lr=0.1", "lr=0.01"])
        #expect(groups.sorted(by: .name).groups.map(\.name) == ["lr=0.01", "lr=0.1"])
        #expect(groups.sorted(by: .index).groups.map(\.name) == ["lr=0.1", "lr=0.01"])
        #expect(s.sorted(by: .bestValAccuracy).rows.map(\.id) == ["id0", "id1", "id2", "id3"])
        #expect(s.sorted(by: .finalTestAccuracy).rows.map(\.id) == ["id3", "id2", "id1", "id0"])
    }

    @Test func groupsHaveJSONAndMarkdown() throws {
        let groups = Groups(summary([0.1: [90, 92], 0.01: [95, 97]]))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(groups.json().utf8)) as? [String: Any])
        let items = try #require(json["groups"] as? [[String: Any]])
        #expect(items.map { $0["group"] as? String } == ["lr=0.1", "lr=0.01"])
        let figures = try #require(items[1]["figures"] as? [String: [String: Any]])
        #expect(figures["final_test_accuracy"]?["mean"] as? Double == 96)
        #expect((items[0]["parameters"] as? [String: String])?["lr"] == "0.1")
        let md = groups.markdown()
        #expect(md.contains("| lr=0.01 | 2 | 96.00% | [83.29, 108.71] |"), "\(md)")
    }

    /// Two runs a group: the table keeps the true interval (past 100%) and says n is small;
    /// the chart's band stops at 100% and its axis does not run past it.
    @Test func fewRunsAreFlaggedAndBandsStayInRange() throws {
        let groups = Groups(summary([0.1: [90, 92], 0.01: [95, 97]]))
        #expect(groups.table().contains("[83.29, 108.71]"))
        #expect(groups.fewRunsNote == "note: every group rests on 2 done runs: a 95% interval from so few is too wide "
            + "to mean much; add seeds (repeats: 5) for intervals worth comparing")
        #expect(groups.table().hasSuffix(groups.fewRunsNote! + "\n"))
        #expect(Groups(summary([0.1: [90, 92, 91], 0.01: [95, 97, 96]])).fewRunsNote == nil)
        let svg = try #require(Charts.make(summary([0.1: [60, 99.9], 0.01: [95, 97]])).first { $0.file == "accuracy.svg" }).svg
        let ticks = svg.components(separatedBy: ">").compactMap { Double($0.prefix { $0 != "<" }) }
        #expect(!ticks.isEmpty && ticks.allSatisfy { $0 <= 100 }, "\(ticks)")
    }

    @Test func subSecondRunsDoNotShowZeroSeconds() {
        #expect(summary([0.1: [90]], seconds: 0.04).table().contains(" 0.04\n"))
        #expect(Summary.seconds(3.14) == "3.1" && Summary.seconds(42.4) == "42" && Summary.seconds(nil) == "-")
    }
}

/// A curve never needs more points than a plot has pixels: a million epochs draw as at most
/// 1,500 points that keep the curve's envelope (its lowest and highest values).
@Suite struct CurveThinning {
    @Test func aMillionPointsThinToTheEnvelope() {
        var points = (1...1_000_000).map { (x: Double($0), y: 50 + Double($0 % 97) / 10) }
        points[654_321].y = 99.5   // a spike
        points[123_456].y = 1.5    // a dip
        let thin = LineChart.thinned(points)
        #expect(thin.count <= LineChart.maxPoints + 2)
        #expect(thin.contains { $0.y == 99.5 } && thin.contains { $0.y == 1.5 })
        #expect(thin.first?.x == 1 && thin.last?.x == 1_000_000)
        #expect(zip(thin, thin.dropFirst()).allSatisfy { $0.x < $1.x })
        let short = Array(points.prefix(100))
        #expect(LineChart.thinned(short).count == 100)
    }
}
