import Foundation
import Reporting
import Results
import Statistics

/// The dashboard's pages, as HTML text: every value from a spec or a results file through
/// `Markup.escape`. An experiment's page is its report (`Report.body`) inside the dashboard's
/// frame, with a script that keeps it live: a WebSocket says when the folder changed, and the
/// page fetches the report's body again and swaps it in (no reload).
enum Pages {
    /// `?token=...` for every link and request, when the server asks for one.
    static func query(_ token: String?) -> String { token.map { "?token=" + $0 } ?? "" }

    static func frame(title: String, root: ResultsRoot, token: String?, live: String?, content: String) -> String {
        let q = query(token)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>\(Markup.escape(title)): runner ui</title>
            <style>
            \(Report.style)
            header { display: flex; gap: 1.5em; align-items: baseline; border-bottom: 1px solid #ddd; padding-bottom: .5em; }
            header a { color: #1f4e9c; text-decoration: none; }
            #live { font-size: 12px; color: #888; margin-left: auto; }
            #live.on { color: #2a7d2a; }
            td.state-running { color: #1f4e9c; font-weight: bold; } td.state-failed, td.state-diverged { color: #b22; }
            #experiments td:nth-child(6), #experiments th:nth-child(6), #experiments td:nth-child(7), #experiments th:nth-child(7), #all-groups td:nth-child(2), #all-groups th:nth-child(2) { text-align: left; } #experiments td:nth-child(6), #experiments td:nth-child(8) { white-space: nowrap; } #experiments td:nth-child(7) { overflow-wrap: anywhere; }
            </style></head><body>
            <header><strong>runner ui</strong><a href="/\(q)">experiments</a><a href="/groups\(q)">all groups</a>
            <span class="hint">\(Markup.escape(root.path))</span><span id="live">\(live == nil ? "" : "connecting")</span></header>
            <main id="content">
            \(content)
            </main>
            <script>
            \(Report.script)
            \(live.map { liveScript(live: $0, token: token) } ?? "")
            </script>
            </body></html>

            """
    }

    /// Reconnects when the server goes away; counts updates in `body[data-updates]` (tests read it).
    static func liveScript(live: String, token: String?) -> String {
        let q = query(token)
        return """
            window.runnerLoadedAt = Date.now();
            let updates = 0;
            function connect() {
              const indicator = document.getElementById('live');
              const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/live\(q)\(q.isEmpty ? "?" : "&")on=' + encodeURIComponent(\(jsString(live))));
              ws.onopen = () => { indicator.textContent = 'live'; indicator.className = 'on'; };
              ws.onmessage = async () => {
                const response = await fetch(location.pathname.replace(/\\/$/, '') + '/content' + location.search);
                if (!response.ok) return;
                document.getElementById('content').innerHTML = await response.text();
                updates += 1;
                document.body.dataset.updates = String(updates);
                enableSorting();
              };
              ws.onclose = () => { indicator.textContent = 'reconnecting'; indicator.className = ''; setTimeout(connect, 1000); };
            }
            connect();
            """
    }

    /// A JavaScript string literal for `s` (JSON's escaping, with `<` escaped so that `</script>` cannot close the block).
    static func jsString(_ s: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [s])) ?? Data("[\"\"]".utf8)
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast()).replacingOccurrences(of: "<", with: "\\u003c")
    }

    // MARK: - The index

    struct ExperimentLine {
        var name: String
        var counts: [String: Int]
        var runs: Int
        var best: String
        var bestFigure: String
    }

    static func line(_ name: String, _ store: RunStore) -> ExperimentLine {
        let summary = Summary.load(store)
        let groups = Groups(summary)
        var counts: [String: Int] = [:]
        for row in summary.rows { counts[row.status, default: 0] += 1 }
        let headline = summary.headline
        let figure = headline.final
        let ranked = groups.groups.compactMap { g in g.sample(figure).mean.map { (g, $0) } }
        let chosen = groups.best.map { groups.groups[$0] }
            ?? (headline.lowerIsBetter ? ranked.min { $0.1 < $1.1 }?.0 : ranked.max { $0.1 < $1.1 }?.0)
        var bestFigure = ""
        if let chosen {
            let sample = chosen.sample(figure)
            bestFigure = headline.format(sample.mean) + (sample.confidenceInterval().map {
                " [" + String(format: headline.plain, $0.lowerBound) + ", " + String(format: headline.plain, $0.upperBound) + "]" } ?? "")
                + " (n = \(sample.n))"
        }
        return ExperimentLine(name: name, counts: counts, runs: summary.rows.count, best: chosen?.name ?? "-", bestFigure: bestFigure)
    }

    /// Each experiment's part of a page, in name order, kept in `cache` under `part`.
    static func perExperiment(_ root: ResultsRoot, _ part: String, cache: PageCache, _ make: (String, RunStore) -> String) -> String {
        var text = ""
        for name in root.experiments() {
            guard let store = root.store(named: name) else { continue }
            text += cache.text(part, name, directory: store.directory) { make(name, store) }
        }
        return text
    }

    static func index(_ root: ResultsRoot, token: String?, cache: PageCache) -> String {
        let q = query(token)
        let rows = perExperiment(root, "line", cache: cache) { indexRow($0, $1, query: q) }
        return """
            <h1>Experiments</h1>
            <p class="hint">Each experiment's runs by state, and its best group: the one its select: picks, else the best final test figure (mean over the group's done runs, 95% interval).</p>
            <table id="experiments"><thead><tr><th data-column="0">experiment</th><th data-column="1">runs</th><th data-column="2">done</th><th data-column="3">running</th><th data-column="4">failed or diverged</th><th data-column="5">other states</th><th data-column="6">best group</th><th data-column="7">its final figure</th></tr></thead><tbody>
            \(rows)</tbody></table>
            """
    }

    /// The index's row for one experiment.
    static func indexRow(_ name: String, _ store: RunStore, query q: String) -> String {
        let l = line(name, store)
        // The other states by name (pending, interrupted, pruned, stopped): "8 pending, 1 interrupted".
        let others = l.counts.filter { !["done", "running", "failed", "diverged"].contains($0.key) && $0.value > 0 }
            .sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let running = l.counts["running"] ?? 0, failed = (l.counts["failed"] ?? 0) + (l.counts["diverged"] ?? 0)
        // A count in its state's colour only when there is something in that state.
        func state(_ name: String, _ n: Int) -> String { n > 0 ? "<td class=\"state-\(name)\">\(n)</td>" : "<td>0</td>" }
        return "<tr data-experiment=\"\(Markup.escape(name))\"><td><a href=\"/e/\(Markup.escape(percentEncoded(name)))\(q)\">\(Markup.escape(name))</a></td>"
            + "<td>\(l.runs)</td><td>\(l.counts["done"] ?? 0)</td>" + state("running", running) + state("failed", failed) + "<td>\(others.isEmpty ? "-" : Markup.escape(others))</td>"
            + "<td>\(Markup.escape(l.best))</td><td>\(Markup.escape(l.bestFigure))</td></tr>\n"
    }

    // MARK: - Groups across experiments

    static func groups(_ root: ResultsRoot, token: String?, cache: PageCache) -> String {
        let q = query(token)
        let rows = perExperiment(root, "groups", cache: cache) { groupRows($0, $1, query: q) }
        return """
            <h1>All groups</h1>
            <p class="hint">Every experiment's groups (runs that differ only in seed): the final test figure's mean over done runs with its 95% Student-t interval. Click a column to sort.</p>
            <table id="all-groups"><thead><tr><th data-column="0">experiment</th><th data-column="1">group</th><th data-column="2">done/runs</th><th data-column="3">figure</th><th data-column="4">mean</th><th data-column="5">95% CI</th></tr></thead><tbody>
            \(rows)</tbody></table>
            """
    }

    /// One experiment's rows of the groups page.
    static func groupRows(_ name: String, _ store: RunStore, query q: String) -> String {
        let summary = Summary.load(store)
        let headline = summary.headline
        var rows = ""
        for g in Groups(summary).groups {
            let s = g.sample(headline.final)
            let ci = s.confidenceInterval().map { "[" + String(format: headline.plain, $0.lowerBound) + ", "
                + String(format: headline.plain, $0.upperBound) + "]" } ?? "-"
            rows += "<tr><td><a href=\"/e/\(Markup.escape(percentEncoded(name)))\(q)\">\(Markup.escape(name))</a></td><td>\(Markup.escape(g.name))</td>"
                + "<td>\(s.n)/\(g.rows.count)</td><td>\(Markup.escape(headline.long))</td><td>\(Markup.escape(headline.format(s.mean)))</td>"
                + "<td>\(Markup.escape(ci))</td></tr>\n"
        }
        return rows
    }

    /// An experiment's content: its report's body, built from disk when the folder changed.
    static func experiment(_ name: String, _ store: RunStore, cache: PageCache) -> String {
        cache.text("body", name, directory: store.directory) { Report(store).body() }
    }

    static func percentEncoded(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? s
    }
}
