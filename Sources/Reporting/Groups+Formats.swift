import Experiments
import Foundation
import Statistics

/// Groups for scripts and documents (`runner summarize --format json|md`), and sorted, as the
/// run view is: the two views take the same options.
extension Groups {
    /// The same groups ordered by `key`, best first: an accuracy's mean highest first, a
    /// loss's or the seconds' lowest first, name and status (runs done, most first) and index
    /// (plan order) ascending; groups without the figure last, ties in plan order.
    public func sorted(by key: Summary.SortKey) -> Groups {
        func value(_ g: Group) -> Double? {
            if let figure = key.figure { return g.sample(figure).mean }
            switch key {
            case .seconds: return Sample(g.rows.compactMap(\.seconds)).mean
            case .status: return -Double(g.done.count)
            default: return nil
            }
        }
        var copy = self
        copy.groups = groups.enumerated().sorted { a, b in
            if key == .name { return a.element.name == b.element.name ? a.offset < b.offset : a.element.name < b.element.name }
            switch (value(a.element), value(b.element)) {
            case let (x?, y?) where x != y: return key.ascending || key == .status ? x < y : x > y
            case (nil, _?): return false
            case (_?, nil): return true
            default: return a.offset < b.offset
            }
        }.map(\.element)
        return copy
    }

    /// Below this many done runs a 95% interval is too wide to say much (t with one degree
    /// of freedom is 12.7); tables say so under the figures.
    public static let fewRuns = 3

    /// The note under a table when some group's interval rests on fewer than `fewRuns` runs.
    public var fewRunsNote: String? {
        let few = groups.filter { $0.done.count > 0 && $0.done.count < Groups.fewRuns }
        guard !few.isEmpty else { return nil }
        let ns = Set(few.map(\.done.count)).sorted().map(String.init).joined(separator: " or ")
        let which = few.count == groups.count ? (groups.count == 1 ? "the group rests" : "every group rests")
            : "\(few.count) of \(groups.count) groups rest"
        return "note: \(which) on \(ns) done run\(ns == "1" ? "" : "s"): a 95% interval from so few is too wide to "
            + "mean much; add seeds (repeats: 5) for intervals worth comparing"
    }

    /// One JSON object: the experiment and one object per group with its parameters, run
    /// counts and, per figure, mean, sd and 95% interval (null when missing).
    public func json() -> String {
        func number(_ v: Double?) -> String { v.map { $0.isFinite ? "\($0)" : "null" } ?? "null" }
        let figures = figures
        let items = groups.map { g -> String in
            let parameters = g.parameters.keys.sorted { Summary.parameterKeys.firstIndex(of: $0)! < Summary.parameterKeys.firstIndex(of: $1)! }
                .map { "\(JSON.quote($0)): \(JSON.quote(g.parameters[$0] ?? ""))" }
            let stats = figures.map { f -> String in
                let s = g.sample(f), ci = s.confidenceInterval()
                return "\(JSON.quote(f.rawValue)): {\"mean\": \(number(s.mean)), \"sd\": \(number(s.standardDeviation)), "
                    + "\"ci_low\": \(number(ci?.lowerBound)), \"ci_high\": \(number(ci?.upperBound))}"
            }
            return "    {\"group\": \(JSON.quote(g.name)), \"runs\": \(g.rows.count), \"done\": \(g.done.count), "
                + "\"diverged\": \(g.diverged), \"parameters\": {" + parameters.joined(separator: ", ") + "}, "
                + "\"figures\": {" + stats.joined(separator: ", ") + "}}"
        }
        return "{\n  \"experiment\": \(JSON.quote(experiment)),\n  \"groups\": [\n"
            + items.joined(separator: ",\n") + (items.isEmpty ? "" : "\n") + "  ]\n}\n"
    }

    /// A Markdown table of the groups: n, and the mean and 95% interval of the final test
    /// accuracy and loss.
    public func markdown() -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        func interval(_ s: Sample, _ format: String) -> String {
            s.confidenceInterval().map { "[" + String(format: format, $0.lowerBound) + ", " + String(format: format, $0.upperBound) + "]" } ?? "-"
        }
        let h = headline
        var lines = ["| group | n | final \(h.short) | 95% CI | final loss | 95% CI |", "|---|--:|--:|--:|--:|--:|"]
        for g in groups {
            let acc = g.sample(h.final), loss = g.sample(.finalTestLoss)
            let n = "\(g.done.count)" + (g.done.count == g.rows.count ? "" : "/\(g.rows.count)")
            lines.append("| " + [cell(g.name), n, h.format(acc.mean), interval(acc, h.plain),
                                 Summary.format(loss.mean, "%.4f", none: "-"), interval(loss, "%.4f")].joined(separator: " | ") + " |")
        }
        let head = "**\(cell(experiment))**: \(groups.count) group\(groups.count == 1 ? "" : "s") (runs that differ only in seed)\n\n"
        return head + lines.joined(separator: "\n") + "\n" + (fewRunsNote.map { "\n" + $0 + "\n" } ?? "")
    }
}
