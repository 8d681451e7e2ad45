import Experiments
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Results
import Testing
import Vocabulary
@testable import Reporting

@Suite struct ChartTests {
    @Test func ticksAreRoundAndCoverTheRange() {
        #expect(LineChart.ticks(0, 20, target: 8) == [0, 2.5, 5, 7.5, 10, 12.5, 15, 17.5, 20])
        #expect(LineChart.ticks(1, 20, target: 10, integers: true) == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20])
        #expect(LineChart.ticks(1, 3, target: 10, integers: true) == [1, 2, 3])
        #expect(LineChart.ticks(87.3, 98.1) == [86, 88, 90, 92, 94, 96, 98, 100])
        #expect(LineChart.ticks(0, 0.34).first == 0)
        #expect(LineChart.ticks(0, 0.34).last! >= 0.34)
    }

    @Test func svgIsWellFormedAndEscaped() throws {
        let chart = LineChart(title: "a < b & c", xLabel: "epoch", yLabel: "acc",
                              series: [.init(label: "activation=relu,dropout=0.5", points: [(1, 90), (2, 95)]),
                                       .init(label: "x\"y", points: [(1, 80), (2, 85)])],
                              yIncludesZero: false)
        let svg = chart.svg()
        let document = try XMLDocument(xmlString: svg)
        #expect(document.rootElement()?.name == "svg")
        #expect(try document.nodes(forXPath: "//*[local-name()='polyline']").count == 2)
        #expect(svg.contains("a &lt; b &amp; c"))
        #expect(svg.contains("x&quot;y"))
    }

    @Test func emptyChartStillRenders() throws {
        let svg = LineChart(title: "t", xLabel: "x", yLabel: "y", series: [], yIncludesZero: true).svg()
        _ = try XMLDocument(xmlString: svg)
    }
}

@Suite struct SummaryTests {
    /// The summary, charts and report are current when newer than every file they are made
    /// from; a run's status written after them, or a plan rewritten, makes them stale.
    @Test func freshnessFollowsTheFilesTheSummaryIsMadeFrom() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fresh-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = RunStore(directory: dir)
        let plan = try Plan(try ExperimentSpec.parse(.init(name: "s", text: "epochs: 1\nsweep:\n  lr: [0.1, 0.2]\n"), defaultName: "s"))
        #expect(try store.writePlan(plan))
        let recorder = try store.begin(plan.runs[0])
        try recorder.append(EpochMetrics(epoch: 1, trainLoss: 0.5, testLoss: 0.4, testAccuracy: 90, epochSeconds: 1))
        try recorder.write(.done)
        #expect(!Freshness.isCurrent(store))  // nothing written yet
        // Every file there a minute older (a file system's clock is coarse: a file written in
        // the same tick as the summary counts as newer, so the test does not rely on ticks).
        func age() {
            for path in FileManager.default.enumerator(atPath: dir)!.allObjects as! [String] {
                var times = [timespec(tv_sec: time(nil) - 60, tv_nsec: 0), timespec(tv_sec: time(nil) - 60, tv_nsec: 0)]
                _ = utimensat(AT_FDCWD, dir + "/" + path, &times, 0)
            }
        }
        func rebuild() throws {
            age()
            try Report(store, refreshed: try Charts.refresh(store)).write(to: store)
        }
        try rebuild()
        #expect(Freshness.isCurrent(store))
        // The same plan again changes nothing, and says so.
        #expect(try !store.writePlan(plan))
        #expect(Freshness.isCurrent(store))
        try recorder.write(.done)  // a status written after the summary
        #expect(!Freshness.isCurrent(store))
        try rebuild()
        #expect(Freshness.isCurrent(store))
        try FileManager.default.removeItem(atPath: store.file("report.md"))
        #expect(!Freshness.isCurrent(store))
    }

    @Test func csvQuotesNamesWithCommasAndListsPendingRuns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sum-\(UUID().uuidString)").path
        let store = RunStore(directory: dir)
        let plan = try Plan(try ExperimentSpec.parse(.init(name: "s", text: "epochs: 2\nsweep:\n  activation: [relu, tanh]\n  lr: [0.1, 0.2]\n"),
                                                     defaultName: "s"))
        try store.writePlan(plan)
        let recorder = try store.begin(plan.runs[1])
        try recorder.append(EpochMetrics(epoch: 1, trainLoss: 0.5, testLoss: 0.4, testAccuracy: 90, epochSeconds: 1))
        try recorder.append(EpochMetrics(epoch: 2, trainLoss: 0.3, testLoss: 0.35, testAccuracy: 89.5, epochSeconds: 1))
        try recorder.write(.done)
        let summary = Summary.load(store)
        let lines = summary.csv().split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("index,id,name,activation,dropout,"))
        #expect(lines[0].hasSuffix(",status,epochs_done,final_test_accuracy,best_test_accuracy,final_test_loss,total_seconds"))
        #expect(lines[2].hasPrefix("1,\(plan.runs[1].id),\"activation=relu,lr=0.2\",relu,0.5,2,"))
        #expect(lines[2].contains(",done,2,89.5000,90.0000,0.35000000,"))
        #expect(lines[1].contains(",pending,0,,,,"))
        let table = summary.table()
        #expect(table.hasPrefix("\((dir as NSString).lastPathComponent): 4 runs\n"))
        #expect(table.contains("activation=relu,lr=0.2  done        2/2     89.50%    90.00%      0.3500"))
        // A done run whose metrics lost a row shows as damaged.
        let metrics = store.file(RunStore.metricsFile, ofID: plan.runs[1].id)
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        try (text.split(separator: "\n").dropLast().joined(separator: "\n") + "\n").write(toFile: metrics, atomically: true, encoding: .utf8)
        #expect(Summary.load(store).rows[1].status == "damaged")
        try Charts.refresh(store)
        #expect(FileManager.default.fileExists(atPath: dir + "/accuracy.svg"))
        #expect(FileManager.default.fileExists(atPath: dir + "/summary.csv"))
    }
}

/// Groups over seeds and comparisons between them, on a summary built in memory.
@Suite struct GroupsAndComparisons {
    /// A summary of `activation` x `dropout` x seeds, each run done with the given final accuracy.
    func summary(_ accuracies: [String: [Double]], diverged: Set<String> = []) -> Summary {
        var rows: [Summary.Row] = []
        for key in accuracies.keys.sorted() {
            let parts = key.split(separator: "/").map(String.init)
            for (s, accuracy) in accuracies[key]!.enumerated() {
                var config = RunConfig()
                config.activation = Activation(rawValue: parts[0])!
                config.dropout = Double(parts[1])!
                config.seed = s + 1
                let metrics = [EpochMetrics(epoch: 1, trainLoss: 1, testLoss: 2 - accuracy / 100, testAccuracy: accuracy, epochSeconds: 1)]
                rows.append(Summary.Row(index: rows.count, id: "id\(rows.count)", name: key, config: config,
                                        status: diverged.contains("\(key)#\(s)") ? "diverged" : "done", epochsDone: 1,
                                        epochs: 1, metrics: metrics, seconds: 1))
            }
        }
        return Summary(experiment: "e", rows: rows)
    }

    @Test func runsDifferingOnlyInSeedFormAGroup() throws {
        let groups = Groups(summary(["relu/0.5": [98.0, 98.2, 98.1], "sigmoid/0.5": [90.0, 90.6, 90.3]],
                                    diverged: ["sigmoid/0.5#2"]))
        #expect(groups.varying == ["activation"])
        #expect(groups.groups.map(\.name) == ["activation=relu", "activation=sigmoid"])
        #expect(groups.groups[0].sample(.finalTestAccuracy).n == 3)
        #expect(groups.groups[1].sample(.finalTestAccuracy).values == [90.0, 90.6])
        #expect(groups.groups[1].diverged == 1)
        let csv = groups.csv().split(separator: "\n")
        #expect(csv[0].hasPrefix("group,runs,done,diverged,final_test_accuracy_mean,final_test_accuracy_sd,final_test_accuracy_ci_low,"))
        #expect(csv[1].hasPrefix("activation=relu,3,3,0,98.1000,0.1000,97.8516,98.3484,"))
        #expect(groups.table().contains("activation=relu       3     98.10%  0.10  [97.85, 98.35]    98.10%  [97.85, 98.35]"))
        #expect(groups.table().contains("activation=sigmoid  2/3     90.30%"))
    }

    /// A regression experiment is read by its test RMSE, lower is better, everywhere a
    /// classification one is read by its accuracy; no accuracy column is made up for it.
    @Test func aRegressionExperimentIsReadByItsRMSE() throws {
        var rows: [Summary.Row] = []
        for (lr, errors) in [(0.01, [50.0, 52.0, 51.0]), (0.1, [60.0, 64.0, 62.0])] {
            for (s, rmse) in errors.enumerated() {
                var config = RunConfig()
                config.task = .regression
                config.lr = lr
                config.seed = s + 1
                let metrics = (1...2).map { e in
                    EpochMetrics(epoch: e, trainLoss: 1, testLoss: rmse * rmse, test: .init(rmse: rmse + Double(2 - e), mae: rmse / 2, r2: 0.5),
                                 epochSeconds: 1, trainEvalLoss: 4, trainEval: .init(rmse: 2, mae: 1, r2: 0.9))
                }
                rows.append(Summary.Row(index: rows.count, id: "id\(rows.count)", name: "lr=\(lr)", config: config, status: "done",
                                        epochsDone: 2, epochs: 2, metrics: metrics, seconds: 1))
            }
        }
        let summary = Summary(experiment: "reg", rows: rows)
        #expect(summary.headline.short == "rmse")
        let csv = summary.csv().split(separator: "\n")
        #expect(csv[0].hasSuffix("final_test_loss,total_seconds,final_test_rmse,best_test_rmse,final_test_mae,final_test_r2"))
        // No accuracy: its cells are empty, never 0.
        #expect(csv[1].contains(",done,2,,,2500.00000000,1.0,50.00000000,50.00000000,25.00000000,0.50000000"))
        #expect(summary.table().contains("final rmse  best rmse"))
        #expect(summary.sorted(by: .finalTestRMSE).rows.map(\.id).prefix(2) == ["id0", "id2"])
        let groups = Groups(summary)
        #expect(groups.figures.contains(.finalTestRMSE) && !groups.figures.contains(.finalTestAccuracy))
        #expect(groups.table().contains("lr=0.01  3     51.0000"))
        #expect(groups.markdown().contains("| group | n | final rmse |"))
        let c = try Comparison(groups, by: "lr", figure: groups.headline.final)
        #expect(c.pairs[0].verdict.hasPrefix("lr 0.1 − 0.01: +11.0000 [") && c.pairs[0].verdict.hasSuffix("(final_test_rmse)"))
        let charts = Charts.make(summary)
        #expect(charts.map(\.file).prefix(2) == ["rmse.svg", "loss.svg"])
        #expect(charts[0].svg.contains("test RMSE") && !charts.contains { $0.file == "accuracy.svg" })
        #expect(charts.contains { $0.file == "train-vs-test.svg" && $0.svg.contains("training vs test RMSE") })
        // A classification run among them: accuracy leads again, the regression figures keep their columns.
        var mixed = rows
        mixed.append(Summary.Row(index: 6, id: "idc", name: "c", config: RunConfig(), status: "done", epochsDone: 1, epochs: 1,
                                 metrics: [EpochMetrics(epoch: 1, trainLoss: 1, testLoss: 1, testAccuracy: 90, epochSeconds: 1)], seconds: 1))
        #expect(Summary(experiment: "m", rows: mixed).headline.short == "acc")
        #expect(Summary(experiment: "m", rows: mixed).csv().contains("final_test_rmse"))
    }

    /// A parameter whose canonical text holds commas (a dataset of files) is one quoted cell.
    @Test func aDatasetOfFilesIsOneCellOfSummaryCSV() throws {
        var config = RunConfig()
        config.dataset = try #require(DatasetChoice(canonical: "files(csv,sha=0123456789ab,label=y,scale=none)"))
        let row = Summary.Row(index: 0, id: "id0", name: "r", config: config, status: "pending", epochsDone: 0, epochs: 1,
                              metrics: [], seconds: nil)
        let lines = Summary(experiment: "e", rows: [row]).csv().split(separator: "\n")
        #expect(lines[1].contains(",\"files(csv,sha=0123456789ab,label=y,scale=none)\","))
        let header = lines[0].split(separator: ",").count, quoted = lines[1].replacingOccurrences(of: "\"files(csv,sha=0123456789ab,label=y,scale=none)\"", with: "x")
        #expect(quoted.split(separator: ",", omittingEmptySubsequences: false).count == header)
    }

    @Test func oneSeedPerConfigGivesGroupsEqualToRuns() {
        let groups = Groups(summary(["relu/0.0": [98.0], "relu/0.5": [98.1], "tanh/0.0": [97.0]]))
        #expect(groups.groups.count == 3)
        #expect(groups.groups.map { $0.sample(.finalTestAccuracy).mean! } == [98.0, 98.1, 97.0])
        #expect(groups.groups.allSatisfy { $0.sample(.finalTestAccuracy).confidenceInterval() == nil })
    }

    @Test func comparisonsHoldTheOtherParametersEqual() throws {
        let s = summary(["relu/0.0": [98.0, 98.1], "relu/0.5": [98.2, 98.3], "sigmoid/0.0": [92.0, 92.4], "sigmoid/0.5": [90.0, 90.6]])
        let c = try Comparison(Groups(s), by: "activation", figure: .finalTestAccuracy)
        #expect(c.pairs.map { "\($0.a)->\($0.b) \($0.context.map(\.value))" } == ["relu->sigmoid [\"0.0\"]", "relu->sigmoid [\"0.5\"]"])
        let p = c.pairs[1]
        #expect(abs(p.test!.difference - (90.3 - 98.25)) < 1e-9)
        #expect(p.verdict.hasPrefix("activation sigmoid − relu at dropout=0.5: -7.95 points ["))
        #expect(p.verdict.hasSuffix(", n = 2 each (final_test_accuracy)"))
        #expect(c.csv().split(separator: "\n").count == 3)
        #expect(throws: Comparison.Failure.self) { try Comparison(Groups(s), by: "lr", figure: .finalTestAccuracy) }
    }

    /// Comparison buckets groups by context; a ragged three-parameter grid (combinations missing,
    /// values in an order the contexts do not follow) gives exactly the pairs of the plain
    /// reference: every context in order of appearance, every pair of values present in it.
    @Test func comparisonPairsEqualTheNaiveReference() throws {
        var rows: [Summary.Row] = []
        var state: UInt64 = 7
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        for _ in 0..<120 {
            var config = RunConfig()
            config.activation = [.relu, .sigmoid, .tanh][next() % 3]
            config.dropout = [0.0, 0.2, 0.5][next() % 3]
            config.lr = [0.01, 0.1, 0.03, 0.3][next() % 4]
            config.seed = next() % 3 + 1
            let accuracy = 90 + Double(next() % 1000) / 100
            let metrics = [EpochMetrics(epoch: 1, trainLoss: 1, testLoss: 1, testAccuracy: accuracy, epochSeconds: 1)]
            rows.append(Summary.Row(index: rows.count, id: "id\(rows.count)", name: "r", config: config, status: "done",
                                    epochsDone: 1, epochs: 1, metrics: metrics, seconds: 1))
        }
        let groups = Groups(Summary(experiment: "e", rows: rows))
        #expect(groups.varying == ["activation", "dropout", "lr"])
        for parameter in groups.varying {
            let c = try Comparison(groups, by: parameter, figure: .finalTestAccuracy)
            // The reference: scan every group for every context and every pair of values.
            let others = groups.varying.filter { $0 != parameter }
            var values: [String] = [], contexts: [[String]] = [], expected: [String] = []
            for g in groups.groups where !values.contains(g.parameters[parameter]!) { values.append(g.parameters[parameter]!) }
            for g in groups.groups {
                let context = others.map { g.parameters[$0]! }
                if !contexts.contains(context) { contexts.append(context) }
            }
            for context in contexts {
                let members = groups.groups.filter { g in others.map { g.parameters[$0]! } == context }
                for i in values.indices {
                    for j in values.indices where j > i {
                        guard let ga = members.first(where: { $0.parameters[parameter] == values[i] }),
                              let gb = members.first(where: { $0.parameters[parameter] == values[j] }) else { continue }
                        expected.append("\(ga.name) vs \(gb.name): \(gb.sample(.finalTestAccuracy).mean! - ga.sample(.finalTestAccuracy).mean!)")
                    }
                }
            }
            #expect(expected.count > contexts.count)
            #expect(c.pairs.map { "\($0.groupA) vs \($0.groupB): \($0.sampleB.mean! - $0.sampleA.mean!)" } == expected)
        }
    }
}

/// The chart layout at 40 groups: every line its own colour-and-dash style, the legend inside
/// the canvas whatever its length, and a diverged run kept off the axis range.
@Suite struct ChartLayout {
    func series(_ n: Int, label: (Int) -> String) -> [LineChart.Series] {
        (0..<n).map { i in
            let offset: Double = 90 + Double(i) / 10
            let points: [(x: Double, y: Double)] = (1...5).map { e in (x: Double(e), y: offset + Double(e)) }
            return LineChart.Series(label: label(i), points: points)
        }
    }

    /// Numbers of the attribute `name` on the elements of class `cls`.
    func values(_ svg: String, _ cls: String, _ name: String) -> [String] {
        svg.components(separatedBy: "class=\"\(cls)\"").dropFirst().map { rest in
            guard let r = rest.range(of: "\(name)=\"") else { return "" }
            return String(rest[r.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test func fortyGroupsHaveFortyStylesAndALegendThatFits() throws {
        let long = String(repeating: "x", count: 90)
        let chart = LineChart(title: "t", xLabel: "epoch", yLabel: "y", series: series(40) { "group \($0) \(long)" },
                              yIncludesZero: false)
        let svg = chart.svg()
        let styles = (0..<40).map { LineChart.style($0) }
        #expect(Set(styles.map { "\($0.color) \($0.dash)" }).count == 40)
        let width = Double(values(svg, "legend", "x1").count)
        #expect(width == 40)
        // Canvas size from the root element.
        let canvas = try #require(svg.range(of: "width=\"")).upperBound
        let svgWidth = Double(svg[canvas...].prefix { $0 != "\"" })!
        let heightStart = try #require(svg.range(of: "height=\"")).upperBound
        let svgHeight = Double(svg[heightStart...].prefix { $0 != "\"" })!
        let legendY = values(svg, "legend", "y1").compactMap(Double.init)
        #expect(legendY.count == 40 && legendY.max()! + 12 < svgHeight)
        // The longest label (6.8 px a character after a 46 px sample) fits.
        let legendX = values(svg, "legend", "x2").compactMap(Double.init)
        #expect(legendX.allSatisfy { $0 + 6 + 6.8 * Double("group 39 \(long)".count) <= svgWidth })
        _ = try XMLDocument(xmlString: svg)
    }

    @Test func aDivergedRunDoesNotRescaleTheAxis() throws {
        var lines = series(3) { "g\($0)" }
        lines.append(LineChart.Series(label: "blown", points: [(1, 2), (2, 300_000)], outlier: true))
        let svg = LineChart(title: "loss", xLabel: "epoch", yLabel: "loss", series: lines, yIncludesZero: true).svg()
        // Tick labels stay in the healthy runs' range (below 100, not 300000).
        #expect(!svg.contains(">300000<") && !svg.contains(">250000<"))
        #expect(svg.contains("blown (diverged)"))
        #expect(svg.contains("clip-path=\"url(#plot-"))
    }
}

/// Groups from real plans: a seed axis or repeats, mixed with other axes.
@Suite struct GroupsFromPlans {
    func groups(_ text: String) throws -> Groups {
        let plan = try Plan(try ExperimentSpec.parse(.init(name: "g.yaml", text: text), defaultName: "g"))
        let rows = plan.runs.map { run in
            Summary.Row(index: run.index, id: run.id, name: run.name,
                        config: run.config,
                        status: "done", epochsDone: 1, epochs: 1,
                        metrics: [EpochMetrics(epoch: 1, trainLoss: 1, testLoss: 1, testAccuracy: Double(run.index), epochSeconds: 1)],
                        seconds: 1)
        }
        return Groups(Summary(experiment: "g", rows: rows))
    }

    @Test func aSeedAxisMixedWithAnotherAxis() throws {
        let g = try groups("sweep:\n  seed: [1, 2, 3]\n  activation: [relu, tanh]\n")
        #expect(g.varying == ["activation"])
        #expect(g.groups.map(\.name) == ["activation=relu", "activation=tanh"])
        // Seed is the outer axis: relu is runs 0, 2, 4.
        #expect(g.groups[0].sample(.finalTestAccuracy).values == [0, 2, 4])
    }

    @Test func repeatsMixedWithTwoAxes() throws {
        let g = try groups("repeats: 2\nsweep:\n  activation: [relu, tanh]\n  dropout: [0.0, 0.5]\n")
        #expect(g.varying == ["activation", "dropout"])
        #expect(g.groups.count == 4 && g.groups.allSatisfy { $0.rows.count == 2 })
        #expect(g.groups[1].name == "activation=relu,dropout=0.5" && g.groups[1].sample(.finalTestAccuracy).values == [2, 3])
    }
}

@Suite struct ChartCap {
    @Test func hugeSweepsChartTheirFirstGroupsAndSaySo() {
        let rows = (0..<150).map { i in
            Summary.Row(index: i, id: "id\(i)", name: "lr=\(i)",
                        config: { var c = RunConfig(); c.lr = Double(i + 1); return c }(),
                        status: "done", epochsDone: 1, epochs: 1,
                        metrics: [EpochMetrics(epoch: 1, trainLoss: 1, testLoss: 1, testAccuracy: 50, epochSeconds: 1)], seconds: 1)
        }
        let charts = Charts.make(Summary(experiment: "big", rows: rows))
        let accuracy = charts.first { $0.file == "accuracy.svg" }!.svg
        #expect(accuracy.contains("big: test accuracy (first 100 of 150 groups)"))
        #expect(accuracy.components(separatedBy: "class=\"legend\"").count - 1 == 100)
    }
}

/// A pruned search: survivors' curves run to the end, pruned runs' stop at their rung (and say
/// so), and neither groups nor comparisons count a pruned run as a result.
@Suite struct PrunedRuns {
    @Test func prunedCurvesStopAtTheirRung() {
        func row(_ i: Int, _ status: String, epochs: Int) -> Summary.Row {
            Summary.Row(index: i, id: "id\(i)", name: "lr=\(i)",
                        config: { var c = RunConfig(); c.lr = [0.1, 0.2, 0.3][i]; return c }(),
                        status: status, epochsDone: epochs, epochs: 9,
                        metrics: (1...epochs).map { EpochMetrics(epoch: $0, trainLoss: 1, testLoss: 1, testAccuracy: Double(50 + $0), epochSeconds: 1) },
                        seconds: 1)
        }
        let summary = Summary(experiment: "search", rows: [row(0, "done", epochs: 9), row(1, "pruned", epochs: 3), row(2, "pruned", epochs: 1)])
        let series = Charts.curves(Groups(summary), \.testAccuracy)
        #expect(series.map(\.label) == ["lr=0.1", "lr=0.2 (pruned at epoch 3)", "lr=0.3 (pruned at epoch 1)"])
        #expect(series.map(\.points.count) == [9, 3, 1])
        #expect(Groups(summary).groups.map(\.done.count) == [1, 0, 0])
    }
}

/// A search's chart of the metric against a sampled parameter: one series over all finished
/// runs (not a single-point series per run), a log axis when the spec sampled on a log scale,
/// and an accuracy axis fitted to the data rather than stretched to 100.
@Suite struct SearchCharts {
    @Test func oneSeriesLogAxisAndAFittedRange() {
        let rows = (0..<12).map { i in
            Summary.Row(index: i, id: "id\(i)", name: "run \(i)",
                        config: { var c = RunConfig(); c.lr = Double("0.0\(i + 10)")!; c.momentum = Double("0.\(i + 10)")!; return c }(),
                        status: "done", epochsDone: 1, epochs: 1,
                        metrics: [EpochMetrics(epoch: 1, trainLoss: 1, testLoss: 1, testAccuracy: 98 + Double(i) / 100, epochSeconds: 1)],
                        seconds: 1)
        }
        let summary = Summary(experiment: "search", rows: rows)
        let lr = Charts.make(summary, logScaled: ["lr"]).first { $0.file == "final-vs-lr.svg" }!.svg
        #expect(lr.components(separatedBy: "class=\"legend\"").count - 1 == 1)
        #expect(lr.contains("finished runs (each its own configuration)") && lr.contains("lr (log scale)"))
        #expect(!lr.contains(">100<"))
        let momentum = Charts.make(summary).first { $0.file == "final-vs-momentum.svg" }!.svg
        #expect(!momentum.contains("(log scale)"))
    }
}

/// Every value from outside that reaches report.html or an SVG chart goes through
/// `Markup.escape`: a hostile experiment name, run name, spec path and text and reference
/// folder render as text.
@Suite struct HostileValuesInTheReport {
    static let payload = "<img src=x onerror=alert(1)>\"'<script>alert('x')</script>&"

    @Test func escapeCoversElementsAndBothQuotes() {
        #expect(Markup.escape(Self.payload)
                == "&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;")
    }

    @Test func aReportOfHostileValuesHoldsNoMarkupOfTheirs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let referenceDir = dir + "/ref" + Self.payload.replacingOccurrences(of: "/", with: "_")
        try FileManager.default.createDirectory(atPath: referenceDir, withIntermediateDirectories: true)
        try "epoch,test_loss,test_accuracy\n1,0.3,91.5\n".write(toFile: referenceDir + "/activation=relu,seed=1.csv",
                                                                 atomically: true, encoding: .utf8)
        var rows: [Summary.Row] = []
        for (i, activation) in [Activation.relu, .sigmoid].enumerated() {
            var config = RunConfig()
            config.activation = activation
            let metrics = [EpochMetrics(epoch: 1, trainLoss: 1, testLoss: 0.4, testAccuracy: 90 + Double(i), epochSeconds: 1)]
            rows.append(Summary.Row(index: i, id: "id\(i)", name: Self.payload, config: config, status: "done",
                                    epochsDone: 1, epochs: 1, metrics: metrics, seconds: 1))
        }
        var report = Report(RunStore(directory: dir + "/none"), reference: ReferenceRuns(directory: referenceDir))
        report.summary = Summary(experiment: Self.payload, rows: rows)
        report.groups = Groups(report.summary)
        report.charts = Charts.make(report.summary)
        report.specs = [(path: "/specs/" + Self.payload, text: "name: x\n# " + Self.payload + "\n")]
        let html = report.html()
        // The page's own script is its last one; before it, no element or attribute of the payload.
        let page = try #require(html.range(of: "<script>", options: .backwards)).lowerBound
        let before = String(html[..<page]).lowercased()
        for raw in ["<img", "<script", "onerror=alert(1)>", "'x'"] { #expect(!before.contains(raw), "\(raw)") }
        let escaped = Markup.escape(Self.payload)
        // Title, heading, the runs table (twice), the spec's path and text; the reference's folder.
        #expect(html.components(separatedBy: escaped).count - 1 >= 6, "\(html)")
        #expect(html.contains(Markup.escape(referenceDir)))
        for chart in report.charts { #expect(!chart.svg.lowercased().contains("<script"), "\(chart.file)") }
    }
}

/// The report says how many seeds each comparison of the headline figure needs to detect the
/// difference it found (issue 25, item 3), from the committed seed study.
@Suite struct ReportSeedAdvice {
    @Test func everyHeadlineComparisonGetsItsSeedCount() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let report = Report(RunStore(directory: repo.appendingPathComponent("results/comparison").path))
        let headline = report.comparisons.filter { $0.figure == report.summary.headline.final && $0.test != nil }
        #expect(headline.count == 4)
        #expect(report.seedAdvice.count == headline.count)
        for (sentence, pair) in zip(report.seedAdvice, headline) {
            #expect(sentence.hasPrefix("\(pair.parameter) \(pair.b) vs \(pair.a)"))
            #expect(sentence.contains(String(format: "to detect %.4g points", abs(pair.test!.difference))) && sentence.contains("has 5"))
        }
    }
}
