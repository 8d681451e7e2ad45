import Foundation
import SpecYAML
import Vocabulary

/// A model-based search over the spec's sampled parameters (`search:`), instead of `samples:`
/// uniform draws:
///
///     search: {tpe: {trials: 60, parallel: 4, startup: 10}}
///
/// TPE (`TPE`, Optuna 5's defaults) proposes `trials` runs in synchronous batches of
/// `parallel`: each batch from every trial finished before it (the batch's earlier proposals
/// pending: the constant liar), each proposal from its own stream seeded by `sample_seed` and
/// the trial's number. So the same spec proposes the same trials for any `--jobs`, after any
/// interruption, on any machine; the proposals are written to the results folder's
/// `search.json` before their runs start and replayed on resume (`SearchScheduler`). The
/// figure maximised or minimised is `select:`'s, at each run's selected epoch.
public struct Search: Sendable, Equatable {
    public var trials: Int
    public var parallel = 1
    /// Trials drawn uniformly before TPE takes over.
    public var startup = 10

    public init(trials: Int, parallel: Int = 1, startup: Int = 10) {
        self.trials = trials
        self.parallel = parallel
        self.startup = startup
    }

    /// Reads `{tpe: {trials: N, parallel: P, startup: S}}`.
    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> Search {
        let usage = "search takes {tpe: {trials: N, parallel: P, startup: S}} (parallel and startup optional)"
        guard case .mapping(let map) = node, map.entries.count == 1 else {
            throw YAMLError(usage + "; got \(node.kindDescription)", at: node.mark, in: source)
        }
        let method = map.entries[0]
        guard method.key.value == "tpe" else {
            throw YAMLError("search method must be tpe; got '\(method.key.shortValue)'" + Suggestion.hint(for: method.key.value, in: ["tpe"]),
                            at: method.key.mark, in: source)
        }
        guard case .mapping(let settings) = method.value else {
            throw YAMLError(usage + "; got \(method.value.kindDescription)", at: method.value.mark, in: source)
        }
        var trials: Int?, parallel = 1, startup = 10
        for entry in settings.entries {
            switch entry.key.value {
            case "trials": trials = try Parameter.int(entry.value, source, key: "search trials", min: 1, max: 100_000)
            case "parallel": parallel = try Parameter.int(entry.value, source, key: "search parallel", min: 1, max: 1_000)
            case "startup": startup = try Parameter.int(entry.value, source, key: "search startup", min: 1, max: 100_000)
            default:
                throw YAMLError("unknown key '\(entry.key.shortValue)' in search tpe; it takes trials, parallel, startup"
                    + Suggestion.hint(for: entry.key.value, in: ["trials", "parallel", "startup"]), at: entry.key.mark, in: source)
            }
        }
        guard let trials else { throw YAMLError("search tpe needs trials: N (how many runs to propose)", at: method.value.mark, in: source) }
        return Search(trials: trials, parallel: parallel, startup: startup)
    }

    /// The batches' sizes: `parallel` each, the last what is left.
    public var batches: [Int] {
        stride(from: 0, to: trials, by: parallel).map { min(parallel, trials - $0) }
    }

    /// The sampler over a spec's sampled parameters, in their order.
    public static func sampler(_ spec: ExperimentSpec, minimize: Bool, startup: Int) -> TPE {
        TPE(dimensions: dimensions(of: spec.sampled), minimize: minimize, startup: startup)
    }

    /// The sampled parameters as the sampler's dimensions, in order.
    public static func dimensions(of sampled: [ExperimentSpec.SampledAxis]) -> [TPE.Dimension] {
        sampled.map { axis in
            switch axis.distribution.kind {
            case .uniform(let low, let high, let log): .real(low: low, high: high, log: log)
            case .intUniform(let low, let high, let log): .integer(low: low, high: high, log: log)
            case .choice(let values): .categorical(count: values.count)
            }
        }
    }

    /// A run's config as a point of the sampler's space (categories as indexes).
    public static func point(of config: RunConfig, _ spec: ExperimentSpec) -> [Double] {
        point(of: config, spec.sampled)
    }

    public static func point(of config: RunConfig, _ sampled: [ExperimentSpec.SampledAxis]) -> [Double] {
        sampled.map { axis in
            let value = axis.parameter.read(config)
            switch axis.distribution.kind {
            case .choice(let values): return Double(values.firstIndex(of: value) ?? 0)
            default:
                switch value {
                case .int(let i): return Double(i)
                case .double(let d): return d
                default: return 0
                }
            }
        }
    }

    /// A point as an assignment of the sampled parameters: reals kept to 4 significant digits
    /// (as drawn values are, so ids and names read the same), each read as if written at its
    /// distribution.
    static func assignment(_ point: [Double], _ spec: ExperimentSpec) throws(YAMLError) -> [(Parameter, ParameterValue)] {
        var result: [(Parameter, ParameterValue)] = []
        for (axis, x) in zip(spec.sampled, point) {
            let d = axis.distribution
            switch d.kind {
            case .choice(let values):
                result.append((axis.parameter, values[min(max(Int(x), 0), values.count - 1)]))
            case .intUniform:
                let node = Node.scalar(Node.Scalar(String(Int(x)), mark: d.mark))
                result.append((axis.parameter, try axis.parameter.value(from: node, in: spec.source)))
            case .uniform:
                let node = Node.scalar(Node.Scalar(Distribution.fourDigits(x), mark: d.mark))
                result.append((axis.parameter, try axis.parameter.value(from: node, in: spec.source)))
            }
        }
        return result
    }

    /// The next `count` trials after `history` (every trial so far, in order, with its outcome),
    /// none repeating a configuration tried before (`taken`: the sampled values of each trial):
    /// a proposal that does is proposed again from the trial's next stream, and after 100
    /// attempts drawn uniformly.
    /// - Throws: `YAMLError` at a distribution whose proposed value its parameter refuses.
    public func propose(_ spec: ExperimentSpec, after history: [TPE.Trial], taken: [[ParameterValue]], count: Int,
                        minimize: Bool) throws(YAMLError) -> [[(Parameter, ParameterValue)]] {
        let tpe = Search.sampler(spec, minimize: minimize, startup: startup)
        var trials = history, seen = Set(taken), batch: [[(Parameter, ParameterValue)]] = []
        for _ in 0..<count {
            let number = UInt64(trials.count)
            var chosen: [(Parameter, ParameterValue)]?
            for attempt in 0..<200 as Range<UInt64> {
                var rng = SplitMix64(seed: Plan.streamSeed(spec.sampleSeed, "search", number, attempt))
                let point = attempt < 100 ? tpe.propose(after: trials, rng: &rng) : tpe.uniformPoint(rng: &rng)
                let candidate = try Search.assignment(point, spec)
                if seen.insert(candidate.map(\.1)).inserted { chosen = candidate; break }
            }
            guard let chosen else {
                throw YAMLError("search could not find a configuration not tried yet (trial \(number)); the sampled space is nearly "
                    + "used up: lower trials or widen the distributions", at: spec.searchMark ?? spec.sweepMark, in: spec.source)
            }
            batch.append(chosen)
            var config = spec.base
            for (parameter, value) in chosen { parameter.set(value, in: &config) }
            trials.append(TPE.Trial(point: Search.point(of: config, spec), outcome: .pending))
        }
        return batch
    }
}
