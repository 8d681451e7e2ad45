import SpecYAML

/// How SGD's momentum changes during a run, from the spec's `momentum` (the start) to `end`:
/// the dropout paper's recipe (Hinton et al. 2012, appendix A: 0.5 to 0.99 over the first 500
/// epochs; pylearn2's `MomentumAdjustor`; deepnet's per-step exponential approach).
public enum MomentumSchedule: Hashable, Sendable, CustomStringConvertible {
    /// The spec's `momentum` every step.
    case constant
    /// Per epoch, linear: momentum·(1 − α) + end·α with α = (epoch − begin) / epochs clipped to
    /// [0, 1], as pylearn2's `MomentumAdjustor(start, saturate, final_momentum)` computes it
    /// (its start + 1 is `begin`, its saturate − start is `epochs`).
    case linear(end: Double, epochs: Int, begin: Int)
    /// Per optimizer step t (from 0): end − (end − momentum)·exp(−t / steps), deepnet's
    /// `final_momentum`, `momentum_change_steps`; the engine's to apply
    /// (`Trainer.Hyperparameters.momentumApproach`).
    case exponential(end: Double, steps: Double)

    /// The canonical spelling (run ids hash it): `constant`, `linear(end=0.99,epochs=500,begin=1)`,
    /// `exponential(end=0.99,steps=100000.0)`.
    public var description: String {
        switch self {
        case .constant: "constant"
        case .linear(let end, let epochs, let begin): "linear(end=\(end),epochs=\(epochs),begin=\(begin))"
        case .exponential(let end, let steps): "exponential(end=\(end),steps=\(steps))"
        }
    }

    public init?(canonical text: String) {
        if text == "constant" { self = .constant; return }
        func fields(_ prefix: String) -> [String: String]? {
            guard text.hasPrefix(prefix + "("), text.hasSuffix(")") else { return nil }
            var out: [String: String] = [:]
            for pair in text.dropFirst(prefix.count + 1).dropLast().split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { return nil }
                out[String(kv[0])] = String(kv[1])
            }
            return out
        }
        if let f = fields("linear"), let end = f["end"].flatMap(Double.init), let epochs = f["epochs"].flatMap(Int.init),
           let begin = f["begin"].flatMap(Int.init) {
            self = .linear(end: end, epochs: epochs, begin: begin)
        } else if let f = fields("exponential"), let end = f["end"].flatMap(Double.init), let steps = f["steps"].flatMap(Double.init) {
            self = .exponential(end: end, steps: steps)
        } else {
            return nil
        }
    }

    /// The momentum of 1-based `epoch` from the spec's `base` (a per-step schedule's epochs
    /// start from `base`; the engine moves it step by step).
    public func momentum(epoch: Int, base: Double) -> Double {
        guard case .linear(let end, let epochs, let begin) = self else { return base }
        let alpha = min(max(Double(epoch - begin) / Double(epochs), 0), 1)
        return base * (1 - alpha) + alpha * end
    }

    /// Reads `constant`, `{linear: {end: 0.99, epochs: 500, begin: 1}}` or `{exponential: {end:
    /// 0.99, steps: 100000}}`.
    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> MomentumSchedule {
        let usage = "momentum_schedule must be constant, {linear: {end: M, epochs: N}} or {exponential: {end: M, steps: S}}"
        if case .scalar(let s) = node, s.value == "constant" { return .constant }
        guard case .mapping(let map) = node, map.entries.count == 1, case .mapping(let settings) = map.entries[0].value else {
            throw YAMLError(usage + "; got " + (node.scalar.map { "'\($0.shortValue)'" } ?? node.kindDescription), at: node.mark, in: source)
        }
        let kind = map.entries[0].key
        func value(_ key: String) -> Node? { settings.entries.first { $0.key.value == key }?.value }
        func only(_ keys: [String]) throws(YAMLError) {
            for s in settings.entries where !keys.contains(s.key.value) {
                throw YAMLError("unknown key '\(s.key.value)' in momentum_schedule \(kind.value); it takes "
                    + keys.joined(separator: ", ") + Suggestion.hint(for: s.key.value, in: keys), at: s.key.mark, in: source)
            }
        }
        func required(_ key: String) throws(YAMLError) -> Node {
            guard let node = value(key) else {
                throw YAMLError(usage + "; \(kind.value) needs \(key)", at: kind.mark, in: source)
            }
            return node
        }
        let end = { () throws(YAMLError) -> Double in
            try Parameter.number(try required("end"), source, key: "momentum_schedule end", range: "in [0, 1)") { $0 >= 0 && $0 < 1 }
        }
        switch kind.value {
        case "linear":
            try only(["end", "epochs", "begin"])
            let e = try end()
            let epochs = try Parameter.int(try required("epochs"), source, key: "momentum_schedule epochs", min: 1, max: 1_000_000)
            let begin = try value("begin").map { (n) throws(YAMLError) -> Int in
                try Parameter.int(n, source, key: "momentum_schedule begin", min: 1, max: 1_000_000)
            } ?? 1
            return .linear(end: e, epochs: epochs, begin: begin)
        case "exponential":
            try only(["end", "steps"])
            let e = try end()
            let steps = try Parameter.number(try required("steps"), source, key: "momentum_schedule steps", range: "> 0") { $0 > 0 }
            return .exponential(end: e, steps: steps)
        default:
            throw YAMLError(usage + "; got '\(kind.shortValue)'" + Suggestion.hint(for: kind.value, in: ["linear", "exponential"]),
                            at: kind.mark, in: source)
        }
    }
}
