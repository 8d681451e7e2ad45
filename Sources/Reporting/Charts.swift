import Results

/// The comparison charts of an experiment: test accuracy and test loss against epoch, one
/// line per run that has figures, labelled by the run's name (the parameters that differ).
public enum Charts {
    /// `accuracy.svg` and `loss.svg` for a summary, as (file name, SVG text).
    public static func make(_ summary: Summary) -> [(file: String, svg: String)] {
        let rows = summary.rows.filter { !$0.metrics.isEmpty }
        let accuracy = LineChart(
            title: "\(summary.experiment): test accuracy", xLabel: "epoch", yLabel: "test accuracy (%)",
            series: rows.map { r in .init(label: r.name, points: r.metrics.map { (Double($0.epoch), $0.testAccuracy) }) },
            yIncludesZero: false, yCeiling: 100)
        let loss = LineChart(
            title: "\(summary.experiment): test loss (mean NLL)", xLabel: "epoch", yLabel: "test loss",
            series: rows.map { r in .init(label: r.name, points: r.metrics.map { (Double($0.epoch), $0.testLoss) }) },
            yIncludesZero: true)
        return [("accuracy.svg", accuracy.svg()), ("loss.svg", loss.svg())]
    }

    /// Writes summary.csv and the charts into the experiment's folder.
    public static func refresh(_ store: RunStore) throws(AtomicFile.WriteError) {
        let summary = Summary.load(store)
        try AtomicFile.write(summary.csv(), to: store.file(RunStore.summaryFile))
        try AtomicFile.write(Groups(summary).csv(), to: store.file(RunStore.groupsFile))
        for chart in make(summary) {
            try AtomicFile.write(chart.svg, to: store.file(chart.file))
        }
    }
}
