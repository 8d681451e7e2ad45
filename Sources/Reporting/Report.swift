import Foundation
import Results
import Statistics

/// `runner report`: one self-contained `report.html` (inline SVG and CSS, a few lines of
/// script to sort the run table; no network, opens from disk) and `report.md` with the same
/// tables, for a paper's notes or a pull request. Built from what is on disk.
public struct Report: Sendable {
    /// "1 run", "4 runs": a count with its noun, singular or plural.
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)" + (n == 1 ? "" : "s") }

    public var summary: Summary
    public var groups: Groups
    /// The spec texts the folder was run from (specs/*.yaml), with where each came from.
    public var specs: [(path: String, text: String)]
    /// Every pair comparison of every varying parameter, on the final test accuracy and loss.
    public var comparisons: [Comparison.Pair]
    public var charts: [(file: String, svg: String)]
    /// With `seeds:`, each comparison's seeds and why it stopped (seeds.json, `SeedRounds`).
    public var seedRounds: [String] = []
    /// For each comparison on the headline figure with a difference: the seeds a group needs
    /// to detect that difference (`SeedAdvice`), as `runner seeds` says it.
    public var seedAdvice: [String] {
        comparisons.compactMap { pair in
            guard pair.figure == summary.headline.final, let test = pair.test, test.difference != 0 else { return nil }
            return pair.seedAdvice(detect: abs(test.difference)).sentence
        }
    }
    static let seedRoundsIntroduction = "Seeds were added round by round (seeds: in the spec) until each comparison was "
        + "decided; each look was a Welch test at its share of 5% (α spending, O'Brien-Fleming), so the rounds do not inflate "
        + "the error rate. Per comparison, its seeds at its last look and why it stopped:"
    static let seedsIntroduction = "Seeds: how many runs a group needs to detect each difference above as large as it "
        + "came out, with 80% power at 5% (Welch's test, from the spreads seen; `runner seeds --detect D` for another size):"
    /// A sampled or searched sweep's parameter importances and trials (nil otherwise).
    public var importance: Importance?
    static let parallelCoordinatesFile = "parallel-coordinates.svg"
    /// Distinct (runner, engine, host) of the runs' sessions, with how many runs each trained.
    public var provenance: [(what: String, runs: Int)]
    /// Another program's runs of the same groups, if given (`--reference`).
    public var reference: ReferenceRuns?
    /// Report each group's change from this epoch to its last (`--since-epoch`).
    public var sinceEpoch: Int?

    /// - Parameter refreshed: the summary and charts `Charts.refresh` just produced (else they
    ///   are read and drawn here).
    public init(_ store: RunStore, refreshed: Charts.Refreshed? = nil, reference: ReferenceRuns? = nil,
                sinceEpoch: Int? = nil) {
        self.reference = reference
        self.sinceEpoch = sinceEpoch
        summary = refreshed?.summary ?? Summary.load(store)
        groups = Groups(summary)
        let archive = SpecArchive(store: store)
        specs = archive.sources().map { source in
            (source.path, (try? String(contentsOfFile: archive.directory + "/\(source.sha).yaml", encoding: .utf8)) ?? "")
        }
        var pairs: [Comparison.Pair] = []
        for parameter in groups.varying {
            for figure in [summary.headline.final, .finalTestLoss] {
                if let c = try? Comparison(groups, by: parameter, figure: figure) { pairs += c.pairs }
            }
        }
        comparisons = pairs
        seedRounds = SeedRounds.summary(SeedRounds.recorded(in: store))
        charts = refreshed?.charts ?? Charts.make(summary)
        importance = Importance(store, summary: summary)
        var counts: [String: Int] = [:], order: [String] = []
        for row in summary.rows {
            guard let p = Provenance.read(store.file(RunStore.provenanceFile, ofID: row.id)) else {
                counts["not recorded (trained before provenance was kept)", default: 0] += 1
                if !order.contains("not recorded (trained before provenance was kept)") { order.append("not recorded (trained before provenance was kept)") }
                continue
            }
            for key in Set(p.sessions.map { "runner \($0.runner); \($0.engine); host \($0.host)" }) {
                if counts[key] == nil { order.append(key) }
                counts[key, default: 0] += 1
            }
        }
        provenance = order.map { ($0, counts[$0] ?? 0) }
    }

    /// Writes report.html and report.md into the experiment's folder.
    public func write(to store: RunStore) throws(AtomicFile.WriteError) {
        try AtomicFile.write(html(), to: store.file("report.html"))
        try AtomicFile.write(markdown(), to: store.file("report.md"))
        if let importance {
            try AtomicFile.write(ParallelCoordinates.svg(importance), to: store.file(Report.parallelCoordinatesFile))
        }
    }

    // MARK: - Tables, as rows of cells

    /// A final figure as a table's figure column names it: "final test accuracy (%)", "final test RMSE".
    static func figureName(_ figure: Groups.Figure) -> String {
        switch figure {
        case .finalTestAccuracy: "final test accuracy (%)"
        case .finalTestRMSE: "final test RMSE"
        case .finalTestLoss: "final test loss"
        default: figure.rawValue.replacingOccurrences(of: "_", with: " ")
        }
    }

    func groupRows() -> (header: [String], rows: [[String]]) {
        let h = summary.headline
        var header = ["group", "n", "final test \(h.short)", "95% CI", "best test \(h.short)", "final test loss", "95% CI", "diverged"]
        if let selection = groups.selection { header += ["\(selection.metric) at selected epoch", "test \(h.short) at selected epoch"] }
        let best = groups.best
        let rows = groups.groups.enumerated().map { i, g -> [String] in
            let acc = g.sample(h.final), bestAcc = g.sample(h.best), loss = g.sample(.finalTestLoss)
            func ci(_ s: Sample, _ f: String) -> String {
                s.confidenceInterval().map { "[" + String(format: f, $0.lowerBound) + ", " + String(format: f, $0.upperBound) + "]" } ?? "–"
            }
            var row = [(i == best ? "★ " : "") + g.name, "\(g.done.count)", h.format(acc.mean, none: "–"),
                       ci(acc, h.plain), h.format(bestAcc.mean, none: "–"),
                       Summary.format(loss.mean, "%.4f", none: "–"), ci(loss, "%.4f"), "\(g.diverged)"]
            if groups.selection != nil {
                let chosen = g.sample(.selectedValue), test = g.sample(h.atSelected)
                row += [Summary.format(chosen.mean, "%.4g", none: "–"),
                        h.format(test.mean, none: "–") + " " + ci(test, h.plain)]
            }
            return row
        }
        return (header, rows)
    }

    /// Per group with reference runs: both means with their intervals, and the difference
    /// (runner − reference) with its Welch interval and p-value.
    func referenceRows() -> (header: [String], rows: [[String]])? {
        guard let reference else { return nil }
        let header = ["group", "figure", "runner (n)", "runner 95% CI", "reference (n)", "reference 95% CI",
                      "runner − reference", "95% CI", "p"]
        var rows: [[String]] = []
        for g in groups.groups {
            for figure in [summary.headline.final, .finalTestLoss] {
                let samples = reference.samples(figure), f = figure.isPercentage ? "%.2f" : "%.4f"
                guard let theirs = samples[g.name] else { continue }
                let ours = g.sample(figure)
                func ci(_ s: Sample) -> String {
                    s.confidenceInterval().map { "[" + String(format: f, $0.lowerBound) + ", " + String(format: f, $0.upperBound) + "]" } ?? "–"
                }
                let test = WelchTest(theirs, ours)
                rows.append([g.name, Report.figureName(figure),
                             Summary.format(ours.mean, f, none: "–") + " (\(ours.n))", ci(ours),
                             Summary.format(theirs.mean, f, none: "–") + " (\(theirs.n))", ci(theirs),
                             test.map { String(format: f.replacingOccurrences(of: "%", with: "%+"), $0.difference) } ?? "–",
                             test.map { "[" + String(format: f, $0.interval.lowerBound) + ", " + String(format: f, $0.interval.upperBound) + "]" } ?? "–",
                             test.map { Comparison.pValue($0.p) } ?? "–"])
            }
        }
        return rows.isEmpty ? nil : (header, rows)
    }

    /// Each comparison whose two groups the reference also ran: the difference in the runner's
    /// runs and in the reference's, each with its Welch interval, so a reader sees whether the
    /// two programs agree on the effect, not only on each group.
    func referenceComparisonRows() -> (header: [String], rows: [[String]])? {
        guard let reference else { return nil }
        let header = ["comparison", "figure", "runner: b − a", "95% CI", "reference: b − a", "95% CI", "same verdict"]
        var rows: [[String]] = []
        for pair in comparisons {
            let samples = reference.samples(pair.figure)
            guard let ra = samples[pair.groupA], let rb = samples[pair.groupB] else { continue }
            let f = pair.figure.isPercentage ? "%.2f" : "%.4f", signed = f.replacingOccurrences(of: "%", with: "%+")
            let theirs = WelchTest(ra, rb)
            func ci(_ t: WelchTest?) -> String {
                t.map { "[" + String(format: f, $0.interval.lowerBound) + ", " + String(format: f, $0.interval.upperBound) + "]" } ?? "–"
            }
            /// "b > a", "b < a" or "no clear difference" at the 95% level.
            func verdict(_ t: WelchTest?) -> String? {
                guard let t else { return nil }
                return t.interval.lowerBound > 0 ? "up" : t.interval.upperBound < 0 ? "down" : "unclear"
            }
            let at = pair.context.isEmpty ? "" : " at " + pair.context.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let same = verdict(pair.test).flatMap { ours in verdict(theirs).map { ours == $0 ? "yes (\(ours))" : "no (\(ours) vs \($0))" } }
            rows.append(["\(pair.parameter) \(pair.b) − \(pair.a)\(at)",
                         pair.figure.isPercentage ? "final test accuracy (points)" : Report.figureName(pair.figure),
                         pair.test.map { String(format: signed, $0.difference) } ?? "–", ci(pair.test),
                         theirs.map { String(format: signed, $0.difference) } ?? "–", ci(theirs), same ?? "–"])
        }
        return rows.isEmpty ? nil : (header, rows)
    }

    /// Per group trained past `sinceEpoch`: the change of test accuracy from that epoch to the
    /// last, over its runs (a paired difference: each run against itself), with a t-interval.
    func sinceRows() -> (header: [String], rows: [[String]])? {
        guard let e = sinceEpoch else { return nil }
        let h = summary.headline
        let header = ["group", "n", "test \(h.short) at epoch \(e)", "final test \(h.short)", "change", "95% CI", "final epoch"]
        var rows: [[String]] = []
        for g in groups.groups {
            // Each run's headline figure at epoch e and at its last.
            let runs = g.done.filter { $0.metrics.count > e && h.test($0.metrics[e - 1]) != nil && h.test($0.metrics.last!) != nil }
            guard !runs.isEmpty else { continue }
            let pairs = runs.map { (at: h.test($0.metrics[e - 1])!, last: h.test($0.metrics.last!)!) }
            let at = Sample(pairs.map(\.at)), final = Sample(pairs.map(\.last))
            let change = Sample(pairs.map { $0.last - $0.at })
            let bounds = "[\(h.plain), \(h.plain)]"
            rows.append([g.name, "\(pairs.count)", h.format(at.mean, none: ""), h.format(final.mean, none: ""),
                         Summary.format(change.mean, h.isPercentage ? "%+.2f points" : "%+.4f"),
                         change.confidenceInterval().map { String(format: bounds, $0.lowerBound, $0.upperBound) } ?? "–",
                         "\(runs.map(\.metrics.count).min()!)"])
        }
        return rows.isEmpty ? nil : (header, rows)
    }

    func runRows() -> (header: [String], rows: [[String]]) {
        let h = summary.headline
        let header = ["#", "id", "name", "status", "epochs", "final test \(h.short)", "best test \(h.short)", "final test loss", "seconds"]
        let rows = summary.rows.map { r in
            [r.index.map(String.init) ?? "–", r.id, r.name, r.status, "\(r.epochsDone)/" + (r.epochs.map(String.init) ?? "?"),
             Summary.format(h.final.value(r), h.plain, none: ""), Summary.format(h.best.value(r), h.plain, none: ""),
             Summary.format(r.finalLoss, "%.4f", none: ""), Summary.format(r.seconds, "%.0f", none: "")]
        }
        return (header, rows)
    }

    // MARK: - Markdown

    /// - Parameters:
    ///   - level: the heading level of the title (1 for a report of its own, 2 inside another).
    ///   - charts: the path from the document to the experiment's folder, for chart links.
    public func markdown(level: Int = 1, charts chartPath: String = "") -> String {
        let h1 = String(repeating: "#", count: level), h2 = h1 + "#"
        func table(_ t: (header: [String], rows: [[String]])) -> String {
            func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
            return (["| " + t.header.map(cell).joined(separator: " | ") + " |",
                     "|" + t.header.map { _ in "---" }.joined(separator: "|") + "|"]
                    + t.rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }).joined(separator: "\n") + "\n"
        }
        var md = "\(h1) \(summary.experiment)\n\n"
        md += "\(Report.count(summary.rows.count, "run")) in \(Report.count(groups.groups.count, "group")) (runs that differ only in seed). "
            + "Figures are means over each group's done runs with 95% Student-t intervals; differences use Welch's test.\n\n"
        md += "\(h2) Groups\n\n" + table(groupRows()) + "\n"
        if let selection = groups.selection, let best = groups.best {
            md += "Selected by \(selection.metric) (\(selection.goal)) at each run's best epoch: ★ \(groups.groups[best].name). "
                + "No choice here looked at test figures unless the spec selected on them.\n\n"
        }
        if !comparisons.isEmpty {
            md += "\(h2) Comparisons\n\n" + comparisons.map { "- " + $0.verdict }.joined(separator: "\n") + "\n\n"
            if !seedAdvice.isEmpty {
                md += Report.seedsIntroduction + "\n\n" + seedAdvice.map { "- " + $0 }.joined(separator: "\n") + "\n\n"
            }
        }
        if !seedRounds.isEmpty {
            md += "\(h2) Seeds until decided\n\n" + Report.seedRoundsIntroduction + "\n\n"
                + seedRounds.map { "- " + $0 }.joined(separator: "\n") + "\n\n"
        }
        if let importance {
            md += "\(h2) Which parameters mattered\n\n" + Importance.introduction + " Trials read by " + importance.basis
                + " (\(Report.count(importance.trials.count, "trial"))).\n\n" + table(importance.rows()) + "\n"
                + (importance.caution.map { $0 + "\n\n" } ?? "")
                + "![parallel coordinates](\(chartPath)\(Report.parallelCoordinatesFile))\n\n"
        }
        if let since = sinceRows() {
            md += "\(h2) Change since epoch \(sinceEpoch!)\n\n" + table(since) + "\n"
        }
        if let ref = referenceRows() {
            md += "\(h2) Against the reference (\(reference!.directory))\n\n" + table(ref) + "\n"
        }
        if let effects = referenceComparisonRows() {
            md += "\(h2) The comparisons in the reference's runs\n\n" + table(effects) + "\n"
        }
        md += "\(h2) Charts\n\n" + charts.map { "![\($0.file)](\(chartPath)\($0.file))" }.joined(separator: "\n") + "\n\n"
        md += "\(h2) Runs\n\n" + table(runRows()) + "\n"
        md += "\(h2) Provenance\n\n" + provenance.map { "- \($0.what): \($0.runs) run(s)" }.joined(separator: "\n") + "\n"
        if !specs.isEmpty {
            md += "\n\(h2) Spec\n\n" + specs.map { "`\($0.path)`:\n\n```yaml\n\($0.text)```\n" }.joined(separator: "\n")
        }
        return md
    }

    // MARK: - HTML

    public func html() -> String {
        """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>\(Markup.escape(summary.experiment)): runner report</title>
            <style>
            \(Report.style)
            </style></head><body>
            \(body())
            <script>
            \(Report.script)
            </script>
            </body></html>

            """
    }

    /// The report's CSS (the dashboard serves it too).
    public static let style = """
        body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
        th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
        th { background: #f3f3f3; cursor: pointer; }
        td:first-child, th:first-child { text-align: left; }
        #runs td:nth-child(3) { text-align: left; }
        figure.chart { margin: 1em 0; overflow-x: auto; }
        pre { background: #f7f7f7; padding: 1em; overflow-x: auto; }
        .hint { color: #666; font-size: 12px; }
        """

    /// The report's script: click a column to sort its table (the dashboard runs
    /// `enableSorting()` again after each live update).
    public static let script = """
        // Sorts a table by a column (numbers as numbers, blanks last); reverse on a second click.
        function sortTable(table, column, descending) {
          const body = table.tBodies[0];
          const rows = Array.from(body.rows);
          const key = r => { const t = r.cells[column].textContent.replace('%', ''); const n = parseFloat(t); return isNaN(n) ? t : n; };
          rows.sort((a, b) => {
            const x = key(a), y = key(b);
            if (x === '' || y === '') return x === '' ? 1 : -1;
            const c = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y));
            return descending ? -c : c;
          });
          rows.forEach(r => body.appendChild(r));
          table.dataset.sorted = column + (descending ? ' desc' : ' asc');
        }
        function enableSorting() {
          document.querySelectorAll('table').forEach(table => {
            table.querySelectorAll('th').forEach(th => th.addEventListener('click', () => {
              const column = Number(th.dataset.column);
              const descending = table.dataset.sorted === column + ' asc';
              sortTable(table, column, descending);
            }));
          });
        }
        enableSorting();
        // report.html#sort=runs:5:desc sorts on load (for links, and for the browser test).
        const m = location.hash.match(/^#sort=(\\w+):(\\d+):(asc|desc)$/);
        if (m) sortTable(document.getElementById(m[1]), Number(m[2]), m[3] === 'desc');
        """

    /// The report's content: everything inside `<body>`, every outside value escaped.
    public func body() -> String {
        func table(_ t: (header: [String], rows: [[String]]), id: String) -> String {
            var h = "<table id=\"\(id)\"><thead><tr>"
            for (c, name) in t.header.enumerated() {
                h += "<th data-column=\"\(c)\">\(Markup.escape(name))</th>"
            }
            h += "</tr></thead><tbody>\n"
            for row in t.rows {
                h += "<tr>" + row.map { "<td>\(Markup.escape($0))</td>" }.joined() + "</tr>\n"
            }
            return h + "</tbody></table>\n"
        }
        var body = "<h1>\(Markup.escape(summary.experiment))</h1>\n"
        body += "<p>\(Report.count(summary.rows.count, "run")) in \(Report.count(groups.groups.count, "group")) (runs that differ only in seed). Figures are means "
            + "over each group's done runs with 95% Student-t intervals; differences use Welch's test.</p>\n"
        body += "<h2>Groups</h2>\n" + table(groupRows(), id: "groups")
        if let selection = groups.selection, let best = groups.best {
            body += "<p>Selected by \(Markup.escape(selection.metric)) (\(Markup.escape(selection.goal))) at each run's best epoch: ★ "
                + "\(Markup.escape(groups.groups[best].name)).</p>\n"
        }
        if !comparisons.isEmpty {
            body += "<h2>Comparisons</h2>\n<ul>\n" + comparisons.map { "<li>\(Markup.escape($0.verdict))</li>" }.joined(separator: "\n") + "\n</ul>\n"
            if !seedAdvice.isEmpty {
                body += "<p>\(Markup.escape(Report.seedsIntroduction))</p>\n<ul id=\"seeds\">\n"
                    + seedAdvice.map { "<li>\(Markup.escape($0))</li>" }.joined(separator: "\n") + "\n</ul>\n"
            }
        }
        if !seedRounds.isEmpty {
            body += "<h2>Seeds until decided</h2>\n<p>\(Markup.escape(Report.seedRoundsIntroduction))</p>\n<ul id=\"seed-rounds\">\n"
                + seedRounds.map { "<li>\(Markup.escape($0))</li>" }.joined(separator: "\n") + "\n</ul>\n"
        }
        if let importance {
            body += "<h2>Which parameters mattered</h2>\n<p>\(Markup.escape(Importance.introduction)) Trials read by "
                + "\(Markup.escape(importance.basis)) (\(Report.count(importance.trials.count, "trial"))).</p>\n"
                + table(importance.rows(), id: "importance")
                + (importance.caution.map { "<p class=\"hint\">\(Markup.escape($0))</p>\n" } ?? "")
                + "<figure class=\"chart\" data-file=\"\(Report.parallelCoordinatesFile)\">\n\(ParallelCoordinates.svg(importance))</figure>\n"
        }
        if let since = sinceRows() {
            body += "<h2>Change since epoch \(sinceEpoch!)</h2>\n" + table(since, id: "since")
        }
        if let ref = referenceRows() {
            body += "<h2>Against the reference (\(Markup.escape(reference!.directory)))</h2>\n" + table(ref, id: "reference")
        }
        if let effects = referenceComparisonRows() {
            body += "<h2>The comparisons in the reference's runs</h2>\n" + table(effects, id: "reference-comparisons")
        }
        body += "<h2>Charts</h2>\n" + charts.map { "<figure class=\"chart\" data-file=\"\(Markup.escape($0.file))\">\n\($0.svg)</figure>\n" }.joined()
        body += "<h2>Runs</h2>\n<p class=\"hint\">Click a column to sort; click again to reverse.</p>\n" + table(runRows(), id: "runs")
        body += "<h2>Provenance</h2>\n<ul>\n" + provenance.map { "<li>\(Markup.escape($0.what)): \($0.runs) run(s)</li>" }.joined(separator: "\n") + "\n</ul>\n"
        if !specs.isEmpty {
            body += "<h2>Spec</h2>\n" + specs.map { "<p><code>\(Markup.escape($0.path))</code></p>\n<pre>\(Markup.escape($0.text))</pre>\n" }.joined()
        }
        return body
    }
}
