import SpecYAML

/// Seeds added until a comparison is decided (`seeds:`), instead of a fixed `repeats:`:
///
///     seeds: {start: 3, max: 20, step: 3, until: {compare: activation, width: 0.2}}
///
/// Every configuration of the grid starts with `start` seeds; after each round every comparison
/// of `compare`'s values (everything else equal, as `runner compare`) is looked at with
/// `SequentialComparison` (α spending over the rounds): it is settled when its interval excludes
/// 0 or is narrower than `width`; the groups of unsettled comparisons get `step` more seeds (the
/// next ones: earlier runs keep their ids), up to `max`.
public struct AdaptiveSeeds: Sendable, Equatable {
    public var start: Int
    public var max: Int
    public var step: Int
    public var compare: String
    public var width: Double

    /// The rounds a group can have: start, start + step, ... up to max.
    public var looks: Int { (max - start + step - 1) / step + 1 }

    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> AdaptiveSeeds {
        let usage = "seeds takes {start: N, max: M, step: S, until: {compare: PARAM, width: W}} (step optional: start)"
        guard case .mapping(let map) = node else { throw YAMLError(usage + "; got \(node.kindDescription)", at: node.mark, in: source) }
        var start: Int?, max: Int?, step: Int?, compare: String?, width: Double?
        for entry in map.entries {
            switch entry.key.value {
            case "start": start = try Parameter.int(entry.value, source, key: "seeds start", min: 2, max: 10_000)
            case "max": max = try Parameter.int(entry.value, source, key: "seeds max", min: 2, max: 10_000)
            case "step": step = try Parameter.int(entry.value, source, key: "seeds step", min: 1, max: 10_000)
            case "until":
                guard case .mapping(let until) = entry.value else {
                    throw YAMLError("seeds until takes {compare: PARAM, width: W}; got \(entry.value.kindDescription)", at: entry.value.mark, in: source)
                }
                for u in until.entries {
                    switch u.key.value {
                    case "compare":
                        guard case .scalar(let s) = u.value, Parameter.named(s.value) != nil else {
                            throw YAMLError("seeds until compare must name a parameter the sweep varies, such as activation",
                                            at: u.value.mark, in: source)
                        }
                        compare = s.value
                    case "width":
                        width = try Parameter.number(u.value, source, key: "seeds until width", range: ">= 0") { $0 >= 0 }
                    default:
                        throw YAMLError("unknown key '\(u.key.shortValue)' in seeds until; it takes compare, width", at: u.key.mark, in: source)
                    }
                }
            default:
                throw YAMLError("unknown key '\(entry.key.shortValue)' in seeds; it takes start, max, step, until"
                    + Suggestion.hint(for: entry.key.value, in: ["start", "max", "step", "until"]), at: entry.key.mark, in: source)
            }
        }
        guard let start, let max, let compare else {
            throw YAMLError(usage + "; start, max and until's compare are needed", at: node.mark, in: source)
        }
        guard max >= start else { throw YAMLError("seeds max (\(max)) must be at least start (\(start))", at: node.mark, in: source) }
        return AdaptiveSeeds(start: start, max: max, step: step ?? start, compare: compare, width: width ?? 0)
    }
}
