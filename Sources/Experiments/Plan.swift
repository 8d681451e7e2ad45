import Foundation
import SpecYAML
import Vocabulary

/// A spec expanded into its ordered list of runs.
///
/// Order: the grid of `sweep:` axes in the order written, the last axis varying fastest (as
/// nested loops would); each grid point repeated `repeats` times with seeds seed, seed+1, ...;
/// runs matching an `exclude:` entry dropped; then each `include:` entry, in order, with its repeats.
public struct Plan: Sendable {
    /// Most runs a spec may expand to unless the caller raises the limit.
    public static let defaultMaxRuns = 10_000
    /// Most memory one run may need unless the caller raises the limit: this machine's.
    public static var defaultMemoryLimit: Double { Double(ProcessInfo.processInfo.physicalMemory) }

    public var experiment: String
    public var runs: [Run]
    /// The parameters whose values differ between runs, in name order: sweep axes first.
    public var varying: [Parameter]
    /// The spec's `select:` section.
    public var selection: Selection?
    /// The spec's `prune:` section, if any (`Pruning`).
    public var pruning: Pruning?
    /// The spec's `search:` section, if any: the runs are the trials proposed so far.
    public var search: Search?
    /// The spec's `seeds:` section, if any: the runs are the seeds of the rounds so far.
    public var adaptiveSeeds: AdaptiveSeeds?

    /// 12 hex digits of SHA-256 over the run ids in plan order: equal digests, the same runs
    /// at the same indices. A job array carries it so that a task refuses an edited plan.
    public var digest: String {
        ShortDigest.of(runs.map(\.id).joined(separator: "\n"))
    }

    /// Expands a spec.
    /// - Parameters:
    ///   - spec: the validated spec.
    ///   - maxRuns: refuse plans larger than this (a typo in a sweep can mean millions of runs).
    ///   - memoryLimit: refuse runs whose estimated memory (`RunConfig.estimatedBytes`) is larger.
    ///   - trials: with `search:`, the trials proposed so far (`SearchScheduler`); nil: the
    ///     search's first batch, which needs no results.
    ///   - seedCounts: with `seeds:`, each grid configuration's seeds so far (keyed by its
    ///     config at the spec's seed); a configuration not listed has `start`.
    /// - Throws: `YAMLError` at the offending node: too many runs, an exclude that matches
    ///   nothing, an include that duplicates another run, seeds past `Int.max`, a subset larger
    ///   than its split, a run too large for memory.
    public init(_ spec: ExperimentSpec, maxRuns: Int = Plan.defaultMaxRuns,
                memoryLimit: Double = Plan.defaultMemoryLimit, trials: [[(Parameter, ParameterValue)]]? = nil,
                seedCounts: [RunConfig: Int] = [:]) throws(YAMLError) {
        experiment = spec.name
        let source = spec.source
        try Plan.checkAdaptiveSeeds(spec)
        let searchTrials = try Plan.searchTrials(spec, trials)
        // Size first, in floating point so no product can overflow, before building anything.
        let grid = spec.axes.reduce(1.0) { $0 * Double($1.values.count) }
        let draws = Double(searchTrials?.count ?? (spec.sampled.isEmpty ? 1 : spec.samples ?? 1))
        let planned = (grid * draws + Double(spec.includes.count)) * Double(spec.repeats)
        if planned > Double(maxRuns) {
            let count = planned < 1e15 ? String(Int(planned)) : "about \(planned)"
            throw YAMLError("the sweep expands to \(count) runs, more than the limit of \(maxRuns); "
                + "shrink it or raise the limit with --max-runs", at: spec.sweepMark, in: source)
        }
        let gridSize = Int(grid)
        let samples: [[(Parameter, ParameterValue)]]
        if let searchTrials { samples = searchTrials } else { samples = try Plan.draw(spec) }

        var configs: [RunConfig] = []
        var excludeUsed = [Bool](repeating: false, count: spec.excludes.count)
        var counters = [Int](repeating: 0, count: spec.axes.count)
        for _ in 0..<gridSize {
            var point = spec.base
            for (axis, i) in zip(spec.axes, counters) { axis.parameter.set(axis.values[i], in: &point) }
            let written = spec.baseKeys.union(spec.axes.map(\.parameter.key)).union(spec.sampled.map(\.parameter.key))
            // Each grid point with each draw of the sampled parameters (the same draws for all).
            for draw in samples {
                var config = point
                for (parameter, value) in draw { parameter.set(value, in: &config) }
                Plan.resolveDefaults(&config, written: written)
                var excluded = false
                for (k, entry) in spec.excludes.enumerated() where entry.matches(config) {
                    excludeUsed[k] = true
                    excluded = true
                }
                if !excluded { configs += try Plan.repeated(config, spec, count: Plan.seeds(of: config, spec, seedCounts)) }
            }
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
            Plan.resolveDefaults(&config, written: spec.baseKeys.union(entry.values.map(\.parameter.key)))
            for repeated in try Plan.repeated(config, spec, count: Plan.seeds(of: config, spec, seedCounts)) {
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

        // Only repeats can make two grid runs equal: a seed they add is also on a seed axis.
        var firstOf: [RunConfig: Int] = [:]
        for (index, config) in configs.enumerated() {
            if let other = firstOf[config] {
                throw YAMLError("runs \(other) and \(index) of the plan are the same config: seed \(config.seed) "
                    + "comes both from the seed axis and from repeats: \(spec.repeats); "
                    + "use one of the two, or space the seed axis at least \(spec.repeats) apart",
                    at: spec.repeatsMark ?? spec.sweepMark, in: source)
            }
            firstOf[config] = index
        }
        for config in Set(configs) { try Plan.check(config, spec, memoryLimit: memoryLimit) }
        selection = spec.selection
        pruning = spec.pruning
        search = spec.search
        adaptiveSeeds = spec.adaptiveSeeds
        if let pruning, pruning.metric.hasPrefix("val_"), configs.contains(where: { $0.validation == 0 }) {
            throw YAMLError("prune.metric \(pruning.metric) needs a validation split in every run; set 'validation: N'",
                            at: spec.pruningMark ?? spec.sweepMark, in: source)
        }
        if let pruning, Set(configs.map(\.epochs)).count > 1 {
            throw YAMLError("prune needs every run to have the same epochs (the rungs are shared); "
                + "epochs takes \(Set(configs.map(\.epochs)).sorted().map(String.init).joined(separator: ", ")) here",
                at: spec.pruningMark ?? spec.sweepMark, in: source)
        }
        // A figure the runs record: accuracies for classification, RMSE, MAE and R² for regression.
        for (what, metric, mark) in [("prune.metric", pruning?.metric, spec.pruningMark), ("select:", selection?.metric, spec.selectionMark)] {
            guard let metric, let other = configs.first(where: { !Selection.metric(metric, suits: $0.task) }) else { continue }
            let split = metric[...metric.lastIndex(of: "_")!]  // val_, test_ or train_eval_
            let fitting = Selection.metrics.filter { Selection.metric($0, suits: other.task) && $0.hasPrefix(split) }
            throw YAMLError("\(what) \(metric) is not a figure of \(other.task.rawValue) runs; use one of "
                + fitting.joined(separator: ", "), at: mark ?? spec.sweepMark, in: source)
        }
        if let selection, selection.needsValidation, configs.contains(where: { $0.validation == 0 }) {
            throw YAMLError("select: \(selection.metric) needs a validation split in every run; set 'validation: N' "
                + "(e.g. 10000)", at: spec.selectionMark ?? spec.sweepMark, in: source)
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

    /// With `search:`, its rules checked and the trials to plan: those given, else the first
    /// batch (start-up draws, which need no results); nil without `search:`.
    static func searchTrials(_ spec: ExperimentSpec, _ given: [[(Parameter, ParameterValue)]]?)
        throws(YAMLError) -> [[(Parameter, ParameterValue)]]? {
        guard let search = spec.search else { return nil }
        let source = spec.source, mark = spec.searchMark ?? spec.sweepMark
        if spec.sampled.isEmpty {
            throw YAMLError("search needs sampled parameters under sweep, such as 'lr: {log_uniform: [0.0001, 0.1]}'", at: mark, in: source)
        }
        if let samplesMark = spec.samplesMark {
            throw YAMLError("search proposes its own trials (search tpe trials); drop samples", at: samplesMark, in: source)
        }
        if let axis = spec.axes.first {
            throw YAMLError("search proposes every swept value; write the grid axis \(axis.parameter.key) as a distribution, "
                + "{choice: [...]}", at: axis.mark, in: source)
        }
        if let entry = spec.excludes.first ?? spec.includes.first {
            throw YAMLError("search proposes every run; exclude and include do not apply to it", at: entry.mark, in: source)
        }
        if spec.repeats > 1 {
            throw YAMLError("search runs each trial once; drop repeats (compare seeds of the best trial afterwards)",
                            at: spec.repeatsMark ?? mark, in: source)
        }
        if let dataset = spec.sampled.first(where: { $0.parameter.key == "dataset" }) {
            throw YAMLError("search cannot propose datasets (they are loaded before the search starts); fix dataset",
                            at: dataset.distribution.mark, in: source)
        }
        guard let selection = spec.selection else {
            throw YAMLError("search needs select: {metric: ..., goal: ...}, the figure it optimises (e.g. {metric: val_accuracy, "
                + "goal: max})", at: mark, in: source)
        }
        if let given { return given }
        return try search.propose(spec, after: [], taken: [], count: search.batches[0], minimize: selection.goal == "min")
    }

    /// The draws of the sampled parameters: `samples` assignments, or one empty assignment when
    /// nothing is sampled. Draw i of parameter P comes from its own SplitMix64 stream, seeded by
    /// `sample_seed`, P's name, i and an attempt count, so it depends on nothing else: the same
    /// spec always draws the same values, and raising `samples` keeps the first draws. A draw
    /// that repeats an earlier one in every sampled value is drawn again (the next attempt), so
    /// a finite space is sampled without replacement; asking for more draws than it has points
    /// is an error.
    /// - Throws: `YAMLError` at `samples:` or at the distribution a drawn value breaks.
    static func draw(_ spec: ExperimentSpec) throws(YAMLError) -> [[(Parameter, ParameterValue)]] {
        let source = spec.source
        if spec.sampled.isEmpty {
            if let mark = spec.samplesMark {
                throw YAMLError("samples: \(spec.samples ?? 0) needs a sampled parameter under sweep, such as "
                    + "'lr: {log_uniform: [0.0001, 0.1]}'", at: mark, in: source)
            }
            return [[]]
        }
        guard let count = spec.samples else {
            throw YAMLError("a sampled parameter needs 'samples: N' (how many draws) at the top level",
                            at: spec.sampled[0].distribution.mark, in: source)
        }
        let points = spec.sampled.reduce(1.0) { space, axis in space * Double(axis.distribution.pointCount ?? Int.max) }
        if points < Double(count) {
            throw YAMLError("samples: \(count) asks for more draws than the \(Int(points)) points of the sampled space "
                + "(sampling is without replacement); use samples: \(Int(points)) or fewer, or sweep these values as a grid",
                at: spec.samplesMark ?? spec.sweepMark, in: source)
        }
        var draws: [[(Parameter, ParameterValue)]] = []
        var seen = Set<[ParameterValue]>()
        for i in 0..<count {
            var attempt: UInt64 = 0
            while true {
                var draw: [(Parameter, ParameterValue)] = []
                for axis in spec.sampled {
                    var generator = SplitMix64(seed: Plan.streamSeed(spec.sampleSeed, axis.parameter.key, UInt64(i), attempt))
                    let u = generator.nextUnitDouble()
                    let d = axis.distribution
                    if let value = d.choiceValue(at: u) {
                        draw.append((axis.parameter, value))
                    } else {
                        // Read as if written at the distribution: the parameter's own checks apply.
                        let node = Node.scalar(Node.Scalar(d.text(at: u, more: &generator), mark: d.mark))
                        draw.append((axis.parameter, try axis.parameter.value(from: node, in: source)))
                    }
                }
                if seen.insert(draw.map(\.1)).inserted {
                    draws.append(draw)
                    break
                }
                attempt += 1
                if attempt > 10_000, let rest = try Plan.firstUnseen(spec, seen) {
                    // A finite space nearly used up (samples: 10000 of [1, 10000]): random draws
                    // keep hitting taken points, so take the first point not drawn yet, in order.
                    seen.insert(rest.map(\.1))
                    draws.append(rest)
                    break
                }
                if attempt > 10_000 {
                    throw YAMLError("could not draw \(count) distinct samples (draw \(i) repeats earlier ones 10,000 times); "
                        + "widen the distributions or lower samples", at: spec.samplesMark ?? spec.sweepMark, in: source)
                }
            }
        }
        return draws
    }

    /// The first point of a finite sampled space (every axis `int_uniform` or `choice`), in
    /// order, that `seen` does not hold; nil when an axis is continuous or none is left.
    static func firstUnseen(_ spec: ExperimentSpec, _ seen: Set<[ParameterValue]>) throws(YAMLError)
        -> [(Parameter, ParameterValue)]? {
        let counts = spec.sampled.map { $0.distribution.pointCount }
        guard counts.allSatisfy({ $0 != nil }) else { return nil }
        let total = counts.reduce(1.0) { $0 * Double($1!) }
        guard total <= 10_000_000 else { return nil }
        for flat in 0..<Int(total) {
            var rest = flat, point: [(Parameter, ParameterValue)] = []
            for (axis, count) in zip(spec.sampled, counts) {
                let k = rest % count!
                rest /= count!
                switch axis.distribution.kind {
                case .choice(let values): point.append((axis.parameter, values[k]))
                case .intUniform(let low, _, _):
                    let node = Node.scalar(Node.Scalar(String(low + k), mark: axis.distribution.mark))
                    point.append((axis.parameter, try axis.parameter.value(from: node, in: spec.source)))
                case .uniform: return nil
                }
            }
            if !seen.contains(point.map(\.1)) { return point }
        }
        return nil
    }

    /// The seed of one draw's stream: sample_seed, the parameter's name (FNV-1a), the draw's
    /// index and the attempt, mixed.
    static func streamSeed(_ seed: UInt64, _ key: String, _ index: UInt64, _ attempt: UInt64) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var mixer = SplitMix64(seed: seed ^ h)
        return mixer.next() &+ index &* 0x9E37_79B9_7F4A_7C15 &+ attempt &* 0xD1B5_4A32_D192_ED03
    }

    /// Defaults that depend on another value, as PyTorch's: AdamW's weight decay is 0.01 unless
    /// the run writes one (`written`: the keys its spec entries set).
    static func resolveDefaults(_ config: inout RunConfig, written: Set<String>) {
        if !written.contains("weight_decay") { config.weightDecay = config.optimizer.defaultWeightDecay }
    }

    /// Checks what only a whole run shows: subsets within their splits, memory within the limit.
    private static func check(_ config: RunConfig, _ spec: ExperimentSpec, memoryLimit: Double) throws(YAMLError) {
        // Every rule the config breaks (RunConfig.problems), each at its value's line.
        let errors = config.problems().map { spec.error($0.message, at: $0.key, value: $0.value) }
        if var first = errors.first {
            first.others = Array(errors.dropFirst())
            throw first
        }
        // A dataset of files: checked once it is loaded, when its shape is known (the CLI).
        let bytes = config.estimatedBytes
        if config.dataset.shape != nil, bytes > memoryLimit {
            let shape = "hidden \(ParameterValue.ints(config.hidden)), batch_size \(config.batchSize)"
            throw spec.error("a run with \(shape) needs about \(Plan.size(bytes)) of memory, more than the "
                + "limit of \(Plan.size(memoryLimit)); make it smaller, or raise the limit with --max-memory",
                at: config.hidden.isEmpty ? "batch_size" : "hidden",
                value: config.hidden.isEmpty ? .int(config.batchSize) : .ints(config.hidden))
        }
    }

    /// `1.5 GiB`, `300 MiB`: sizes in binary units, three significant figures.
    public static func size(_ bytes: Double) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = bytes, unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        guard unit > 0 else { return "\(Int(value)) bytes" }
        return String(format: value < 10 ? "%.2f" : value < 100 ? "%.1f" : "%.0f", value) + " " + units[unit]
    }

    /// `config` once per repeat, with seeds `seed`, `seed + 1`, ...
    /// - Throws: `YAMLError` at `repeats:` when the last seed would pass `Int.max`.
    /// How many seeds a configuration runs: `repeats`, or with `seeds:` its count so far.
    static func seeds(of config: RunConfig, _ spec: ExperimentSpec, _ counts: [RunConfig: Int]) -> Int {
        guard let adaptive = spec.adaptiveSeeds else { return spec.repeats }
        return counts[config] ?? adaptive.start
    }

    /// `seeds:`'s rules: no `repeats`, no search, no seed axis, and `compare` a grid axis.
    static func checkAdaptiveSeeds(_ spec: ExperimentSpec) throws(YAMLError) {
        guard let adaptive = spec.adaptiveSeeds else { return }
        let mark = spec.adaptiveSeedsMark ?? spec.sweepMark, source = spec.source
        if let repeatsMark = spec.repeatsMark {
            throw YAMLError("seeds: adds seeds round by round; drop repeats (seeds start is the first round's)", at: repeatsMark, in: source)
        }
        if spec.search != nil { throw YAMLError("seeds: and search: do not combine (a search runs each trial once)", at: mark, in: source) }
        if spec.axes.contains(where: { $0.parameter.key == "seed" }) || spec.sampled.contains(where: { $0.parameter.key == "seed" }) {
            throw YAMLError("seeds: chooses the seeds; drop the seed axis from sweep", at: mark, in: source)
        }
        guard spec.axes.contains(where: { $0.parameter.key == adaptive.compare }) else {
            throw YAMLError("seeds until compare: \(adaptive.compare) is not a grid axis of this sweep; compare one of "
                + (spec.axes.isEmpty ? "(none: add a sweep)" : spec.axes.map(\.parameter.key).joined(separator: ", ")), at: mark, in: source)
        }
    }

    private static func repeated(_ config: RunConfig, _ spec: ExperimentSpec, count: Int) throws(YAMLError) -> [RunConfig] {
        let (last, overflow) = config.seed.addingReportingOverflow(count - 1)
        if overflow {
            throw YAMLError("repeats: \(spec.repeats) from seed \(config.seed) needs seeds past the largest, "
                + "\(Int.max); use a smaller seed", at: spec.repeatsMark ?? spec.sweepMark, in: spec.source)
        }
        return (config.seed...last).map { seed in
            var c = config
            c.seed = seed
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
