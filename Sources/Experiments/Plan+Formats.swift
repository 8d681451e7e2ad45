/// The plan rendered for people (`table`) and for scripts (`json`, `tsv`).
extension Plan {
    /// An aligned table: index, id, name, then the parameters every run shares.
    public func table(specPath: String) -> String {
        var lines = ["\(experiment): \(runs.count) run\(runs.count == 1 ? "" : "s") from \(specPath)"]
        if let adaptiveSeeds {
            lines[0] = "\(experiment): seeds until each \(adaptiveSeeds.compare) comparison is decided, \(adaptiveSeeds.start) to "
                + "\(adaptiveSeeds.max) a configuration in rounds of \(adaptiveSeeds.step), from \(specPath); "
                + "the \(runs.count) runs planned so far (more come where the figures leave a comparison open):"
        }
        if let search {
            lines[0] = "\(experiment): a TPE search of \(search.trials) trials in batches of \(search.parallel) from \(specPath); "
                + (runs.count < search.trials ? "the \(runs.count) proposed so far (the rest come from their results):" : "every trial:")
        }
        let varyingKeys = Set(varying.map(\.key))
        if let first = runs.first {
            let fixed = Parameter.all.filter { !varyingKeys.contains($0.key) }
                .map { "\($0.key)=\($0.read(first.config))" }
            lines.append("shared: " + fixed.joined(separator: " "))
        }
        let header = ["#", "id", "name"]
        let rows = runs.map { [String($0.index), $0.id, $0.name] }
        let widths = (0..<header.count).map { c in ([header] + rows).map { $0[c].count }.max()! }
        for row in [header] + rows {
            let cells = row.enumerated().map { c, cell in
                c == 0 ? String(repeating: " ", count: widths[c] - cell.count) + cell
                       : cell + String(repeating: " ", count: widths[c] - cell.count)
            }
            var line = cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One JSON object: the experiment and its runs, each with its full config.
    public func json() -> String {
        let items = runs.map { run in
            "    {\"index\": \(run.index), \"id\": \(JSON.quote(run.id)), \"name\": \(JSON.quote(run.name)), "
                + "\"config\": \(Run.json(of: run.config))}"
        }
        return "{\n  \"experiment\": \(JSON.quote(experiment)),\n  \"runs\": [\n"
            + items.joined(separator: ",\n") + "\n  ]\n}\n"
    }

    /// Tab-separated: a header, then row I is run I (`runner SPEC --index I`).
    public func tsv() -> String {
        let header = ["index", "id", "name"] + Parameter.keys
        let rows = runs.map { run in
            [String(run.index), run.id, run.name] + Parameter.all.map { $0.read(run.config).description }
        }
        return ([header] + rows).map { $0.joined(separator: "\t") + "\n" }.joined()
    }
}
