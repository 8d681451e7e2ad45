import Experiments
import Foundation
import Statistics

/// `runner compare --by PARAM`: for each pair of values of PARAM whose groups agree on every
/// other parameter, the difference of the group means (later value − earlier, in plan order)
/// with its 95% Welch interval and p-value.
public struct Comparison: Sendable {
    public struct Pair: Sendable {
        public var parameter: String
        /// The values compared: the difference is `b − a`.
        public var a: String, b: String
        /// The other varying parameters, held equal (`dropout=0.5`), empty when none.
        public var context: [(key: String, value: String)]
        public var figure: Groups.Figure
        /// The two groups' names (`Groups.Group.name`).
        public var groupA: String, groupB: String
        public var sampleA: Sample, sampleB: Sample
        /// nil when either side has fewer than two done runs (or no spread).
        public var test: WelchTest?

        /// "activation relu − sigmoid at dropout=0.5: +7.60 points [7.31, 7.89], p = 2.1e-09,
        /// n = 5 each (final_test_accuracy)".
        public var verdict: String {
            let at = context.isEmpty ? "" : " at " + context.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            let unit = figure.isPercentage ? " points" : ""
            let format = figure.isPercentage ? "%+.2f" : "%+.4f", plain = figure.isPercentage ? "%.2f" : "%.4f"
            let n = sampleA.n == sampleB.n ? "n = \(sampleA.n) each" : "n = \(sampleA.n) and \(sampleB.n)"
            let head = "\(parameter) \(b) − \(a)\(at): ", tail = " (\(figure.rawValue))"
            guard let test else {
                guard let ma = sampleA.mean, let mb = sampleB.mean else { return head + "no done runs to compare, \(n)" + tail }
                return head + String(format: format, mb - ma) + unit + ", no interval (needs two or more runs a side), \(n)" + tail
            }
            return head + String(format: format, test.difference) + unit
                + " [" + String(format: plain, test.interval.lowerBound) + ", " + String(format: plain, test.interval.upperBound) + "]"
                + ", p = " + Comparison.pValue(test.p) + ", \(n)" + tail
        }
    }

    public var pairs: [Pair]

    /// - Throws: a message when `parameter` does not vary between the groups.
    public init(_ groups: Groups, by parameter: String, figure: Groups.Figure) throws(Failure) {
        guard groups.varying.contains(parameter) else {
            throw Failure(message: "\(parameter) does not vary between the groups of \(groups.experiment)"
                + (groups.varying.isEmpty ? " (nothing does, apart from the seed)"
                   : "; it can compare " + groups.varying.joined(separator: ", ")))
        }
        let others = groups.varying.filter { $0 != parameter }
        var values: [String] = []
        var seen: Set<String> = []
        for g in groups.groups { if let v = g.parameters[parameter], seen.insert(v).inserted { values.append(v) } }
        var pairs: [Pair] = []
        // Contexts in the order groups appear; within one, every pair of values in plan order.
        // Groups are bucketed by context once (a sampled sweep has as many contexts as groups, so
        // scanning every group for every context was quadratic, and pairing every value in every
        // context cubic).
        var contexts: [[String]] = []
        var members: [[String]: [Groups.Group]] = [:]
        for g in groups.groups {
            let context = others.map { g.parameters[$0] ?? "" }
            if members[context] == nil { contexts.append(context) }
            members[context, default: []].append(g)
        }
        let order = Dictionary(values.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        for context in contexts {
            // The first group of each value in this context, in plan order of the values.
            var byValue: [Int: Groups.Group] = [:]
            for g in members[context] ?? [] {
                if let v = g.parameters[parameter], let i = order[v], byValue[i] == nil { byValue[i] = g }
            }
            let present = byValue.keys.sorted()
            for (x, i) in present.enumerated() {
                for j in present[(x + 1)...] {
                    let ga = byValue[i]!, gb = byValue[j]!
                    let sa = ga.sample(figure), sb = gb.sample(figure)
                    pairs.append(Pair(parameter: parameter, a: values[i], b: values[j],
                                      context: Array(zip(others, context)).map { ($0, $1) }, figure: figure,
                                      groupA: ga.name, groupB: gb.name,
                                      sampleA: sa, sampleB: sb, test: WelchTest(sa, sb)))
                }
            }
        }
        guard !pairs.isEmpty else {
            // Which other parameters differ wherever this one does.
            var also: [String] = []
            search: for ga in groups.groups {
                for gb in groups.groups where ga.parameters[parameter] != gb.parameters[parameter] {
                    for key in others where ga.parameters[key] != gb.parameters[key] && !also.contains(key) { also.append(key) }
                    if also.count == others.count { break search }
                }
            }
            let ordered = others.filter(also.contains)
            throw Failure(message: "no two groups of \(groups.experiment) differ in \(parameter) alone: every pair with "
                + "different \(parameter) also differs in \(ordered.joined(separator: ", ")); compare holds every other "
                + "parameter equal, so train the missing combinations (a sweep over \(([parameter] + ordered).joined(separator: " and "))) "
                + "or compare by another parameter", noPair: true)
        }
        self.pairs = pairs
    }

    public struct Failure: Error, Sendable {
        public var message: String
        /// The parameter varies, but never alone: there is nothing to compare.
        public var noPair = false
    }

    /// p-values as people read them: 0.021, 3.2e-09; never "0".
    static func pValue(_ p: Double) -> String {
        if p >= 0.001 { return String(format: "%.3f", p) }
        if p < 1e-300 { return "< 1e-300" }
        return String(format: "%.1e", p)
    }

    /// One row per pair, for scripts.
    public func csv() -> String {
        var lines = ["parameter,a,b,context,figure,n_a,n_b,mean_a,mean_b,difference,ci_low,ci_high,p,df"]
        for p in pairs {
            let context = p.context.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
            let t = p.test
            lines.append([p.parameter, p.a, p.b, Summary.csvField(context), p.figure.rawValue, String(p.sampleA.n),
                          String(p.sampleB.n), Summary.format(p.sampleA.mean, "%.6f"), Summary.format(p.sampleB.mean, "%.6f"),
                          Summary.format(t?.difference, "%.6f"), Summary.format(t?.interval.lowerBound, "%.6f"),
                          Summary.format(t?.interval.upperBound, "%.6f"), t.map { String($0.p) } ?? "",
                          Summary.format(t?.degreesOfFreedom, "%.3f")].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One JSON object with a `pairs` array, numbers as numbers (null when missing).
    public func json() -> String {
        func number(_ v: Double?) -> String { v.map { $0.isFinite ? "\($0)" : "null" } ?? "null" }
        let items = pairs.map { p -> String in
            let context = "{" + p.context.map { "\(JSON.quote($0.key)): \(JSON.quote($0.value))" }.joined(separator: ", ") + "}"
            return "    {\"parameter\": \(JSON.quote(p.parameter)), \"a\": \(JSON.quote(p.a)), \"b\": \(JSON.quote(p.b)), "
                + "\"context\": \(context), \"figure\": \(JSON.quote(p.figure.rawValue)), "
                + "\"n_a\": \(p.sampleA.n), \"n_b\": \(p.sampleB.n), \"mean_a\": \(number(p.sampleA.mean)), "
                + "\"mean_b\": \(number(p.sampleB.mean)), \"difference\": \(number(p.test?.difference)), "
                + "\"ci_low\": \(number(p.test?.interval.lowerBound)), \"ci_high\": \(number(p.test?.interval.upperBound)), "
                + "\"p\": \(number(p.test?.p)), \"df\": \(number(p.test?.degreesOfFreedom)), "
                + "\"verdict\": \(JSON.quote(p.verdict))}"
        }
        return "{\n  \"pairs\": [\n" + items.joined(separator: ",\n") + (items.isEmpty ? "" : "\n") + "  ]\n}\n"
    }
}
