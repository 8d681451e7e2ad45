import SpecYAML

/// A spec expanded into its ordered list of runs.
///
/// Order: the grid of `sweep:` axes in the order written, the last axis varying fastest (as
/// nested loops would); each grid point repeated `repeats` times with seeds seed, seed+1, ...;
/// runs matching an `exclude:` entry dropped; then each `include:` entry, in order, with its repeats.
public struct Plan: Sendable {
    /// Most runs a spec may expand to unless the caller raises the limit.
    public static let defaultMaxRuns = 10_000

    public var experiment: String
    public var runs: [Run]
    /// The parameters whose values differ between runs, in name order: sweep axes first.
    public var varying: [Parameter]

    /// Expands a spec.
    /// - Parameters:
    ///   - spec: the validated spec.
    ///   - maxRuns: refuse plans larger than this (a typo in a sweep can mean millions of runs).
    /// - Throws: `YAMLError` at the offending node: too many runs, an exclude that matches
    ///   nothing, or an include that duplicates another run.
    public init(_ spec: ExperimentSpec, maxRuns: Int = Plan.defaultMaxRuns) throws(YAMLError) {
        experiment = spec.name
        let source = spec.source
        // Size first, in floating point so no product can overflow, before building anything.
        let grid = spec.axes.reduce(1.0) { $0 * Double($1.values.count) }
        let planned = (grid + Double(spec.includes.count)) * Double(spec.repeats)
        if planned > Double(maxRuns) {
            let count = planned < 1e15 ? String(Int(planned)) : "about \(planned)"
            throw YAMLError("the sweep expands to \(count) runs, more than the limit of \(maxRuns); "
                + "shrink it or raise the limit with --max-runs", at: spec.sweepMark, in: source)
        }
        let gridSize = Int(grid)

        var configs: [RunConfig] = []
        var excludeUsed = [Bool](repeating: false, count: spec.excludes.count)
        var counters = [Int](repeating: 0, count: spec.axes.count)
        for _ in 0..<gridSize {
            var config = spec.base
            for (axis, i) in zip(spec.axes, counters) { axis.parameter.set(axis.values[i], in: &config) }
            var excluded = false
            for (k, entry) in spec.excludes.enumerated() where entry.matches(config) {
                excludeUsed[k] = true
                excluded = true
            }
            if !excluded { configs += Plan.repeated(config, spec.repeats) }
            // Odometer: the last axis turns fastest.
            var a = counters.count - 1
            while a >= 0 {
                counters[a] += 1
                if counters[a] < spec.axes[a].values.count { break }
                counters[a] = 0
                a -= 1
            }
        }
        if let unused = excludeUsed.firstIndex(of: false) {
            throw YAMLError("this exclude entry matches no run of the sweep; check its keys and values",
                            at: spec.excludes[unused].mark, in: source)
        }
        for entry in spec.includes {
            var config = spec.base
            for (parameter, value) in entry.values { parameter.set(value, in: &config) }
            for repeated in Plan.repeated(config, spec.repeats) {
                if let twin = configs.firstIndex(of: repeated) {
                    throw YAMLError("this include entry repeats run \(twin) of the plan; remove it",
                                    at: entry.mark, in: source)
                }
                configs.append(repeated)
            }
        }
        if configs.isEmpty {
            throw YAMLError("every run of the sweep is excluded; nothing to run",
                            at: spec.sweepMark, in: source)
        }

        // Name runs by the parameters that differ between them: axes first, then the rest.
        let axisKeys = spec.axes.map(\.parameter.key)
        let ordered = spec.axes.map(\.parameter) + Parameter.all.filter { !axisKeys.contains($0.key) }
        varying = ordered.filter { p in Set(configs.map { p.read($0) }).count > 1 }
        var ids: [String: Int] = [:]
        runs = []
        for (index, config) in configs.enumerated() {
            let id = Run.id(of: config)
            if let other = ids[id] {
                // Distinct configs (duplicates were refused above) sharing 48 bits of SHA-256.
                throw YAMLError("runs \(other) and \(index) have different configs but the same id "
                    + "\(id); please report this", at: spec.sweepMark, in: source)
            }
            ids[id] = index
            let name = varying.isEmpty ? spec.name
                : varying.map { "\($0.key)=\($0.read(config))" }.joined(separator: ",")
            runs.append(Run(index: index, id: id, name: name, config: config))
        }
    }

    private static func repeated(_ config: RunConfig, _ repeats: Int) -> [RunConfig] {
        (0..<repeats).map { k in
            var c = config
            c.seed = config.seed &+ k
            return c
        }
    }
}

extension ExperimentSpec.Assignment {
    /// True when `config` has every value of this assignment.
    func matches(_ config: RunConfig) -> Bool {
        values.allSatisfy { $0.parameter.read(config) == $0.value }
    }
}
