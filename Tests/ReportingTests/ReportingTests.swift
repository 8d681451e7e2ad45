import Experiments
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Results
import Testing
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
