import Experiments
import Foundation
import Results
import SpecYAML
import Statistics

/// The charts of an experiment, drawn per group (runs that differ only in seed): the mean over
/// the group's done runs, with a shaded 95% band where it has two or more; runs that diverged
/// are drawn dotted, outside the axis range of the rest.
public enum Charts {
    /// The SVG files of a summary, as (file name, SVG text): accuracy.svg (rmse.svg for a
    /// regression experiment) and loss.svg always; train-vs-test.svg when training figures were
    /// recorded; final-vs-PARAM.svg for each numeric parameter that varies between groups.
    /// Most groups drawn in one chart (50 styles, then repeats; past this a chart is unreadable
    /// and its legend thousands of lines long): the first ones in plan order, said in the title.
    public static let maxGroups = 100

    /// - Parameter logScaled: parameters to plot on a log axis whatever their spread (those a
    ///   spec samples on a log scale).
    public static func make(_ summary: Summary, logScaled: Set<String> = []) -> [(file: String, svg: String)] {
        var groups = Groups(summary)
        let total = groups.groups.count
        groups.groups = Array(groups.groups.prefix(maxGroups))
        let of = total > maxGroups ? " (first \(maxGroups) of \(total) groups)" : ""
        var files: [(String, String)] = []
        let headline = summary.headline
        let figure = headline.test
        let main = headline.isPercentage
            ? LineChart(title: "\(summary.experiment): test accuracy" + of, xLabel: "epoch", yLabel: "test accuracy (%)",
                        series: curves(groups, figure), yIncludesZero: false, yCeiling: 100, yFloor: 0)
            : LineChart(title: "\(summary.experiment): test RMSE" + of, xLabel: "epoch", yLabel: "test RMSE",
                        series: curves(groups, figure), yIncludesZero: true, yFloor: 0)
        let loss = LineChart(
            title: "\(summary.experiment): test loss (\(headline.isPercentage ? "mean NLL" : "mean squared error"))" + of,
            xLabel: "epoch", yLabel: "test loss", series: curves(groups, { $0.testLoss }), yIncludesZero: true, yFloor: 0)
        files += [(headline.isPercentage ? "accuracy.svg" : "rmse.svg", main.svg()), ("loss.svg", loss.svg())]
        if groups.figures.contains(headline.finalTrain) {
            var series: [LineChart.Series] = []
            for g in groups.groups {
                let test = meanCurve(g.done, headline.test)
                let train = meanCurve(g.done, headline.train)
                guard !train.points.isEmpty else { continue }
                // A pair shares its colour: test solid, training dashed.
                let slot = series.count / 2
                series.append(.init(label: g.name + ": test", points: test.points, styleIndex: slot))
                series.append(.init(label: g.name + ": training (eval mode)", points: train.points, companion: true,
                                    styleIndex: slot))
            }
            let chart = headline.isPercentage
                ? LineChart(title: "\(summary.experiment): training vs test accuracy (the generalisation gap)" + of,
                            xLabel: "epoch", yLabel: "accuracy (%)", series: series, yIncludesZero: false, yCeiling: 100, yFloor: 0)
                : LineChart(title: "\(summary.experiment): training vs test RMSE (the generalisation gap)" + of,
                            xLabel: "epoch", yLabel: "RMSE", series: series, yIncludesZero: true, yFloor: 0)
            files.append(("train-vs-test.svg", chart.svg()))
        }
        for parameter in groups.varying where isNumeric(parameter, groups) {
            files.append(("final-vs-\(parameter).svg",
                          finalAgainst(parameter, groups, summary.experiment, headline: headline,
                                       log: logScaled.contains(parameter)).svg()))
        }
        return files
    }

    /// Writes summary.csv, groups.csv and the charts into the experiment's folder.
    /// - Returns: the summary read and the charts written, for a report or table built next
    ///   (so that nothing reads every run folder twice).
    @discardableResult
    public static func refresh(_ store: RunStore) throws(AtomicFile.WriteError) -> Refreshed {
        let summary = Summary.load(store)
        try AtomicFile.write(summary.csv(), to: store.file(RunStore.summaryFile))
        try AtomicFile.write(Groups(summary).csv(), to: store.file(RunStore.groupsFile))
        let charts = make(summary, logScaled: logSampled(store))
        for chart in charts {
            try AtomicFile.write(chart.svg, to: store.file(chart.file))
        }
        return Refreshed(summary: summary, charts: charts)
    }

    /// What `refresh` read and wrote.
    public struct Refreshed: Sendable {
        public var summary: Summary
        public var charts: [(file: String, svg: String)]
    }

    // MARK: - Series

    /// Per group: the mean curve with its 95% band (a group whose runs were all pruned: its
    /// runs' curves, ending at their rung, labelled so); then each run still training, dashed;
    /// then each diverged run, dotted, unscaled.
    static func curves(_ groups: Groups, _ figure: (EpochMetrics) -> Double?) -> [LineChart.Series] {
        var series: [LineChart.Series] = []
        for g in groups.groups {
            let pruned = g.rows.filter { $0.status == "pruned" && !$0.metrics.isEmpty }
            let members = g.done.isEmpty ? pruned : g.done
            guard !members.isEmpty else { continue }
            let curve = meanCurve(members, figure)
            let label = (members.count > 1 ? "\(g.name) (mean of \(members.count), 95% band)" : g.name)
                + (g.done.isEmpty ? " (pruned at epoch \(members.map(\.metrics.count).max() ?? 0))" : "")
            series.append(.init(label: label, points: curve.points, band: curve.band))
        }
        // Runs still training (or stopped mid-way), each on its own, dashed: a sweep's progress
        // shows while it runs (`runner ui`, the summary refreshed mid-sweep).
        for g in groups.groups {
            for row in g.rows where ["running", "interrupted"].contains(row.status) && !row.metrics.isEmpty {
                series.append(.init(label: "\(g.name) seed \(row.parameters["seed"] ?? "?") (\(row.status), epoch \(row.metrics.count))",
                                    points: row.metrics.compactMap { m in figure(m).map { (Double(m.epoch), $0) } }, companion: true))
            }
        }
        for g in groups.groups {
            for row in g.rows where row.status == "diverged" && !row.metrics.isEmpty {
                series.append(.init(label: "\(g.name) seed \(row.parameters["seed"] ?? "?")",
                                    points: row.metrics.compactMap { m in figure(m).map { (Double(m.epoch), $0) } }, outlier: true))
            }
        }
        return series
    }

    /// The mean over runs at each epoch all of them reached, and its 95% t-interval (each
    /// epoch's figures gathered into one reused buffer: a million-epoch curve allocates nothing
    /// per epoch).
    static func meanCurve(_ rows: [Summary.Row], _ value: (EpochMetrics) -> Double?)
        -> (points: [(x: Double, y: Double)], band: [(x: Double, low: Double, high: Double)]) {
        let epochs = rows.map(\.metrics.count).min() ?? 0
        var points: [(x: Double, y: Double)] = [], band: [(x: Double, low: Double, high: Double)] = []
        points.reserveCapacity(epochs)
        if rows.count >= 2 { band.reserveCapacity(epochs) }
        var quantile: (n: Int, t: Double) = (0, 0)  // t(0.975, n − 1), the same n at nearly every epoch
        var values: [Double] = []
        values.reserveCapacity(rows.count)
        for e in 0..<epochs {
            values.removeAll(keepingCapacity: true)
            for row in rows { if let v = value(row.metrics[e]) { values.append(v) } }
            let sample = Sample(values)
            guard let mean = sample.mean else { continue }
            points.append((Double(e + 1), mean))
            guard sample.n >= 2 else { continue }
            if quantile.n != sample.n {
                quantile = (sample.n, StudentT(degreesOfFreedom: Double(sample.n - 1)).quantile(0.975))
            }
            if let ci = sample.confidenceInterval(t: quantile.t) { band.append((Double(e + 1), ci.lowerBound, ci.upperBound)) }
        }
        return (points, band)
    }

    static func isNumeric(_ parameter: String, _ groups: Groups) -> Bool {
        groups.groups.allSatisfy { Double($0.parameters[parameter] ?? "") != nil }
    }

    /// Final test accuracy against a numeric parameter, one line per setting of the other
    /// varying parameters, with 95% error bars; a log axis when the values span two decades.
    /// The parameters the experiment's latest archived spec samples on a log scale.
    static func logSampled(_ store: RunStore) -> Set<String> {
        let archive = SpecArchive(store: store)
        let path = archive.directory + "/\(archive.sources().last?.sha ?? "").yaml"
        // Only the sweep is read: the spec's data files need not be where they were.
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let sampled = try? ExperimentSpec.sampledAxes(of: Source(name: path, text: text)) else { return [] }
        return Set(sampled.filter(\.distribution.isLog).map(\.parameter.key))
    }

    static func finalAgainst(_ parameter: String, _ groups: Groups, _ experiment: String, headline: Headline = .accuracy,
                             log logScaled: Bool = false) -> LineChart {
        var others = groups.varying.filter { $0 != parameter }
        var contexts: [[String]] = []
        for g in groups.groups {
            let c = others.map { g.parameters[$0] ?? "" }
            if !contexts.contains(c) { contexts.append(c) }
        }
        // A search (every configuration its own, as sampled parameters make them): one series
        // of all finished runs against this parameter, not one single-point series per run.
        let search = !others.isEmpty && contexts.count == groups.groups.count && contexts.count > 8
        if search {
            others = []
            contexts = [[]]
        }
        var series: [LineChart.Series] = []
        for context in contexts {
            var points: [(x: Double, y: Double)] = [], bars: [(x: Double, low: Double, high: Double)] = []
            let members = groups.groups.filter { g in others.map { g.parameters[$0] ?? "" } == context }
            for g in members.sorted(by: { Double($0.parameters[parameter]!)! < Double($1.parameters[parameter]!)! }) {
                let x = Double(g.parameters[parameter]!)!, sample = g.sample(headline.final)
                guard let mean = sample.mean else { continue }
                points.append((x, mean))
                if let ci = sample.confidenceInterval() { bars.append((x, ci.lowerBound, ci.upperBound)) }
            }
            let label = search ? "finished runs (each its own configuration)"
                : others.isEmpty ? experiment : zip(others, context).map { "\($0)=\($1)" }.joined(separator: ",")
            series.append(.init(label: label, points: points, band: bars, bandStyle: .errorBars))
        }
        let xs = groups.groups.compactMap { Double($0.parameters[parameter] ?? "") }
        let log = logScaled || (xs.min() ?? 0) > 0 && (xs.max() ?? 0) / (xs.min() ?? 1) >= 100
        guard headline.isPercentage else {
            return LineChart(title: "\(experiment): final test RMSE against \(parameter) (mean, 95% CI)",
                             xLabel: parameter, yLabel: "final test RMSE", series: series, yIncludesZero: true,
                             yFloor: 0, xLog: log, xIntegers: false)
        }
        return LineChart(title: "\(experiment): final test accuracy against \(parameter) (mean, 95% CI)",
                         xLabel: parameter, yLabel: "final test accuracy (%)", series: series, yIncludesZero: false,
                         yCeiling: 100, yFloor: 0, xLog: log, xIntegers: false)
    }
}
