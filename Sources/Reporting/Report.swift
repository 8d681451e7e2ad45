import Foundation
import Results
import Statistics

/// `runner report`: one self-contained `report.html` (inline SVG and CSS, a few lines of
/// script to sort the run table; no network, opens from disk) and `report.md` with the same
/// tables, for a paper's notes or a pull request. Built from what is on disk.
public struct Report: Sendable {
    public var summary: Summary
    public var groups: Groups
    /// The spec texts the folder was run from (specs/*.yaml), with where each came from.
    public var specs: [(path: String, text: String)]
    /// Every pair comparison of every varying parameter, on the final test accuracy and loss.
    public var comparisons: [Comparison.Pair]
    public var charts: [(file: String, svg: String)]
    /// Distinct (runner, engine, host) of the runs' sessions, with how many runs each trained.
    public var provenance: [(what: String, runs: Int)]

    public init(_ store: RunStore) {
        summary = Summary.load(store)
        groups = Groups(summary)
        let archive = SpecArchive(store: store)
        specs = archive.sources().map { source in
            (source.path, (try? String(contentsOfFile: archive.directory + "/\(source.sha).yaml", encoding: .utf8)) ?? "")
        }
        var pairs: [Comparison.Pair] = []
        for parameter in groups.varying {
            for figure in [Groups.Figure.finalTestAccuracy, .finalTestLoss] {
                if let c = try? Comparison(groups, by: parameter, figure: figure) { pairs += c.pairs }
            }
        }
        comparisons = pairs
        charts = Charts.make(summary)
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
    }

    // MARK: - Tables, as rows of cells

    func groupRows() -> (header: [String], rows: [[String]]) {
        var header = ["group", "n", "final test acc", "95% CI", "best test acc", "final test loss", "95% CI", "diverged"]
        if let selection = groups.selection { header += ["\(selection.metric) at selected epoch", "test acc at selected epoch"] }
        let best = groups.best
        let rows = groups.groups.enumerated().map { i, g -> [String] in
            let acc = g.sample(.finalTestAccuracy), bestAcc = g.sample(.bestTestAccuracy), loss = g.sample(.finalTestLoss)
            func ci(_ s: Sample, _ f: String) -> String {
                s.confidenceInterval().map { "[" + String(format: f, $0.lowerBound) + ", " + String(format: f, $0.upperBound) + "]" } ?? "–"
            }
            var row = [(i == best ? "★ " : "") + g.name, "\(g.done.count)", Summary.format(acc.mean, "%.2f%%", none: "–"),
                       ci(acc, "%.2f"), Summary.format(bestAcc.mean, "%.2f%%", none: "–"),
                       Summary.format(loss.mean, "%.4f", none: "–"), ci(loss, "%.4f"), "\(g.diverged)"]
            if groups.selection != nil {
                let chosen = g.sample(.selectedValue), test = g.sample(.testAccuracyAtSelected)
                row += [Summary.format(chosen.mean, "%.4g", none: "–"),
                        Summary.format(test.mean, "%.2f%%", none: "–") + " " + ci(test, "%.2f")]
            }
            return row
        }
        return (header, rows)
    }

    func runRows() -> (header: [String], rows: [[String]]) {
        let header = ["#", "id", "name", "status", "epochs", "final test acc", "best test acc", "final test loss", "seconds"]
        let rows = summary.rows.map { r in
            [r.index.map(String.init) ?? "–", r.id, r.name, r.status, "\(r.epochsDone)/" + (r.epochs.map(String.init) ?? "?"),
             Summary.format(r.finalAccuracy, "%.2f", none: ""), Summary.format(r.bestAccuracy, "%.2f", none: ""),
             Summary.format(r.finalLoss, "%.4f", none: ""), Summary.format(r.seconds, "%.0f", none: "")]
        }
        return (header, rows)
    }

    // MARK: - Markdown

    public func markdown() -> String {
        func table(_ t: (header: [String], rows: [[String]])) -> String {
            func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
            return (["| " + t.header.map(cell).joined(separator: " | ") + " |",
                     "|" + t.header.map { _ in "---" }.joined(separator: "|") + "|"]
                    + t.rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }).joined(separator: "\n") + "\n"
        }
        var md = "# \(summary.experiment)\n\n"
        md += "\(summary.rows.count) runs in \(groups.groups.count) groups (runs that differ only in seed). "
            + "Figures are means over each group's done runs with 95% Student-t intervals; differences use Welch's test.\n\n"
        md += "## Groups\n\n" + table(groupRows()) + "\n"
        if let selection = groups.selection, let best = groups.best {
            md += "Selected by \(selection.metric) (\(selection.goal)) at each run's best epoch: ★ \(groups.groups[best].name). "
                + "No choice here looked at test figures unless the spec selected on them.\n\n"
        }
        if !comparisons.isEmpty {
            md += "## Comparisons\n\n" + comparisons.map { "- " + $0.verdict }.joined(separator: "\n") + "\n\n"
        }
        md += "## Charts\n\n" + charts.map { "![\($0.file)](\($0.file))" }.joined(separator: "\n") + "\n\n"
        md += "## Runs\n\n" + table(runRows()) + "\n"
        md += "## Provenance\n\n" + provenance.map { "- \($0.what): \($0.runs) run(s)" }.joined(separator: "\n") + "\n"
        if !specs.isEmpty {
            md += "\n## Spec\n\n" + specs.map { "`\($0.path)`:\n\n```yaml\n\($0.text)```\n" }.joined(separator: "\n")
        }
        return md
    }

    // MARK: - HTML

    static func escape(_ s: String) -> String { LineChart.escape(s) }

    public func html() -> String {
        func table(_ t: (header: [String], rows: [[String]]), id: String) -> String {
            var h = "<table id=\"\(id)\"><thead><tr>"
            for (c, name) in t.header.enumerated() {
                h += "<th data-column=\"\(c)\">\(Report.escape(name))</th>"
            }
            h += "</tr></thead><tbody>\n"
            for row in t.rows {
                h += "<tr>" + row.map { "<td>\(Report.escape($0))</td>" }.joined() + "</tr>\n"
            }
            return h + "</tbody></table>\n"
        }
        var body = "<h1>\(Report.escape(summary.experiment))</h1>\n"
        body += "<p>\(summary.rows.count) runs in \(groups.groups.count) groups (runs that differ only in seed). Figures are means "
            + "over each group's done runs with 95% Student-t intervals; differences use Welch's test.</p>\n"
        body += "<h2>Groups</h2>\n" + table(groupRows(), id: "groups")
        if let selection = groups.selection, let best = groups.best {
            body += "<p>Selected by \(Report.escape(selection.metric)) (\(selection.goal)) at each run's best epoch: ★ "
                + "\(Report.escape(groups.groups[best].name)).</p>\n"
        }
        if !comparisons.isEmpty {
            body += "<h2>Comparisons</h2>\n<ul>\n" + comparisons.map { "<li>\(Report.escape($0.verdict))</li>" }.joined(separator: "\n") + "\n</ul>\n"
        }
        body += "<h2>Charts</h2>\n" + charts.map { "<figure class=\"chart\" data-file=\"\($0.file)\">\n\($0.svg)</figure>\n" }.joined()
        body += "<h2>Runs</h2>\n<p class=\"hint\">Click a column to sort; click again to reverse.</p>\n" + table(runRows(), id: "runs")
        body += "<h2>Provenance</h2>\n<ul>\n" + provenance.map { "<li>\(Report.escape($0.what)): \($0.runs) run(s)</li>" }.joined(separator: "\n") + "\n</ul>\n"
        if !specs.isEmpty {
            body += "<h2>Spec</h2>\n" + specs.map { "<p><code>\(Report.escape($0.path))</code></p>\n<pre>\(Report.escape($0.text))</pre>\n" }.joined()
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>\(Report.escape(summary.experiment)): runner report</title>
            <style>
            body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
            table { border-collapse: collapse; margin: 1em 0; font-size: 13px; }
            th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
            th { background: #f3f3f3; cursor: pointer; }
            td:first-child, th:first-child { text-align: left; }
            #runs td:nth-child(3) { text-align: left; }
            figure.chart { margin: 1em 0; overflow-x: auto; }
            pre { background: #f7f7f7; padding: 1em; overflow-x: auto; }
            .hint { color: #666; font-size: 12px; }
            </style></head><body>
            \(body)
            <script>
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
            document.querySelectorAll('table').forEach(table => {
              table.querySelectorAll('th').forEach(th => th.addEventListener('click', () => {
                const column = Number(th.dataset.column);
                const descending = table.dataset.sorted === column + ' asc';
                sortTable(table, column, descending);
              }));
            });
            // report.html#sort=runs:5:desc sorts on load (for links, and for the browser test).
            const m = location.hash.match(/^#sort=(\\w+):(\\d+):(asc|desc)$/);
            if (m) sortTable(document.getElementById(m[1]), Number(m[2]), m[3] === 'desc');
            </script>
            </body></html>

            """
    }
}
