import Foundation
import SpecYAML

/// How the learning rate changes from epoch to epoch, as PyTorch 1.13's schedulers change it
/// when `scheduler.step()` is called once after every epoch.
public enum LRSchedule: Hashable, Sendable, CustomStringConvertible {
    /// The spec's `lr` every epoch.
    case constant
    /// `torch.optim.lr_scheduler.StepLR(step_size, gamma)`: multiplied by gamma every
    /// step_size epochs.
    case step(stepSize: Int, gamma: Double)
    /// `CosineAnnealingLR(T_max = epochs, eta_min)`: from lr down to eta_min along half a cosine.
    case cosine(etaMin: Double)
    /// `ExponentialLR(gamma)`: multiplied by gamma every epoch.
    case exponential(gamma: Double)
    /// pylearn2's `LinearDecayOverEpoch(start, saturate, decay_factor)`: down by equal steps
    /// from lr to lr · finalFactor over `epochs` epochs from epoch `begin` (pylearn2's
    /// `start`; `epochs` is its saturate − start + 1), then constant.
    case linear(finalFactor: Double, epochs: Int, begin: Int)
    /// deepnet's INVERSE_T decay, per optimizer step: lr / (1 + t / halfLife) for the t-th step
    /// (from 0), the engine's to apply (`Trainer.Hyperparameters.inverseTimeHalfLife`).
    case inverseTime(halfLife: Double)

    /// The canonical spelling (run ids hash it): `constant`, `step(step_size=5,gamma=0.1)`,
    /// `cosine(eta_min=0.0)`, `exponential(gamma=0.998)`, `linear(final_factor=0.02,epochs=560,begin=1)`,
    /// `inverse_t(half_life=10000.0)`.
    public var description: String {
        switch self {
        case .constant: "constant"
        case .step(let size, let gamma): "step(step_size=\(size),gamma=\(gamma))"
        case .cosine(let etaMin): "cosine(eta_min=\(etaMin))"
        case .exponential(let gamma): "exponential(gamma=\(gamma))"
        case .linear(let factor, let epochs, let begin): "linear(final_factor=\(factor),epochs=\(epochs),begin=\(begin))"
        case .inverseTime(let halfLife): "inverse_t(half_life=\(halfLife))"
        }
    }

    /// The half-life of a per-step inverse-time decay, which the engine applies step by step.
    public var inverseTimeHalfLife: Double? {
        if case .inverseTime(let h) = self { h } else { nil }
    }

    /// Reads a canonical spelling back.
    public init?(canonical text: String) {
        if text == "constant" { self = .constant; return }
        func fields(_ prefix: String) -> [String: String]? {
            guard text.hasPrefix(prefix + "("), text.hasSuffix(")") else { return nil }
            let inner = text.dropFirst(prefix.count + 1).dropLast()
            var out: [String: String] = [:]
            for pair in inner.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { return nil }
                out[String(kv[0])] = String(kv[1])
            }
            return out
        }
        if let f = fields("step"), let size = f["step_size"].flatMap(Int.init), let gamma = f["gamma"].flatMap(Double.init) {
            self = .step(stepSize: size, gamma: gamma)
        } else if let f = fields("cosine"), let eta = f["eta_min"].flatMap(Double.init) {
            self = .cosine(etaMin: eta)
        } else if let f = fields("exponential"), let gamma = f["gamma"].flatMap(Double.init) {
            self = .exponential(gamma: gamma)
        } else if let f = fields("linear"), let factor = f["final_factor"].flatMap(Double.init),
                  let epochs = f["epochs"].flatMap(Int.init), let begin = f["begin"].flatMap(Int.init) {
            self = .linear(finalFactor: factor, epochs: epochs, begin: begin)
        } else if let f = fields("inverse_t"), let halfLife = f["half_life"].flatMap(Double.init) {
            self = .inverseTime(halfLife: halfLife)
        } else {
            return nil
        }
    }

    /// The learning rate of 1-based `epoch` of `epochs`, starting from `base`. Computed as
    /// PyTorch 1.13 does, step by step from the previous epoch's rate (its schedulers are
    /// recursive, and the last bits of a closed form would differ):
    /// - StepLR.get_lr: lr·gamma when last_epoch % step_size == 0, else lr unchanged;
    /// - CosineAnnealingLR.get_lr: (1 + cos(π·t/T)) / (1 + cos(π·(t−1)/T)) · (lr − η_min) + η_min,
    ///   or lr + (base − η_min)(1 − cos(π/T))/2 when (t − 1 − T) % 2T == 0; T = epochs,
    /// - ExponentialLR.get_lr: lr·gamma;
    /// where t (PyTorch's last_epoch) is epoch − 1. pylearn2's linear decay is its closed form,
    /// lr − (lr − lr·F)/N · max(epoch − begin, 0) and lr·F from N on, as pylearn2 computes it in float64;
    /// an inverse-time decay is per step (the engine's): the epoch's rate is lr.
    public func lr(epoch: Int, base: Double, epochs: Int) -> Double {
        var lr = base
        guard epoch > 1 else { return lr }
        if case .linear(let factor, let n, let begin) = self {
            let k = max(epoch - begin, 0)  // pylearn2's two branches: the final rate as lr·F, not by steps
            return k >= n ? base * factor : base - (base - base * factor) / Double(n) * Double(k)
        }
        for t in 1..<epoch {
            switch self {
            case .constant, .linear, .inverseTime:
                return base
            case .exponential(let gamma):
                lr *= gamma
            case .step(let size, let gamma):
                if t % size == 0 { lr *= gamma }
            case .cosine(let etaMin):
                let T = Double(epochs), tt = Double(t)
                if (t - 1 - epochs) % (2 * epochs) == 0 {
                    lr += (base - etaMin) * (1 - cos(Double.pi / T)) / 2
                } else {
                    lr = (1 + cos(Double.pi * tt / T)) / (1 + cos(Double.pi * (tt - 1) / T)) * (lr - etaMin) + etaMin
                }
            }
        }
        return lr
    }

    /// Reads `constant`, `cosine`, `{step: {step_size: 5, gamma: 0.1}}`, `{cosine: {eta_min:
    /// 0.0001}}`, `{exponential: {gamma: 0.998}}`, `{linear: {final_factor: 0.02, epochs: 560,
    /// begin: 1}}` or `{inverse_t: {half_life: 10000}}`.
    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> LRSchedule {
        let usage = "lr_schedule must be constant, cosine, {step: {step_size: N, gamma: G}}, {cosine: {eta_min: E}}, "
            + "{exponential: {gamma: G}}, {linear: {final_factor: F, epochs: N}} or {inverse_t: {half_life: STEPS}}"
        switch node {
        case .scalar(let s) where s.value == "constant": return .constant
        case .scalar(let s) where s.value == "cosine": return .cosine(etaMin: 0)
        case .scalar(let s) where ["step", "exponential", "linear", "inverse_t"].contains(s.value):
            let examples = ["step": "{step: {step_size: 5, gamma: 0.1}}", "exponential": "{exponential: {gamma: 0.998}}",
                            "linear": "{linear: {final_factor: 0.02, epochs: 560}}", "inverse_t": "{inverse_t: {half_life: 10000}}"]
            throw YAMLError("lr_schedule \(s.value) needs its settings, e.g. \(examples[s.value]!)", at: node.mark, in: source)
        case .mapping(let map) where map.entries.count == 1:
            let entry = map.entries[0]
            let settings: [Node.Mapping.Entry]
            switch entry.value {
            case .mapping(let m): settings = m.entries
            case .scalar(let s) where s.isNull: settings = []
            default: throw YAMLError(usage + "; got \(entry.value.kindDescription) under \(entry.key.value)", at: entry.value.mark, in: source)
            }
            func value(_ key: String) -> Node? { settings.first { $0.key.value == key }?.value }
            func only(_ keys: [String]) throws(YAMLError) {
                for s in settings where !keys.contains(s.key.value) {
                    throw YAMLError("unknown key '\(s.key.value)' in lr_schedule \(entry.key.value); it takes "
                        + keys.joined(separator: ", ") + Suggestion.hint(for: s.key.value, in: keys), at: s.key.mark, in: source)
                }
            }
            func required(_ key: String, _ example: String) throws(YAMLError) -> Node {
                guard let node = value(key) else {
                    throw YAMLError("lr_schedule \(entry.key.value) needs \(key), e.g. \(example)", at: entry.key.mark, in: source)
                }
                return node
            }
            switch entry.key.value {
            case "step":
                for s in settings where !["step_size", "gamma"].contains(s.key.value) {
                    throw YAMLError("unknown key '\(s.key.value)' in lr_schedule step; it takes step_size and gamma", at: s.key.mark, in: source)
                }
                guard let sizeNode = value("step_size") else {
                    throw YAMLError("lr_schedule step needs step_size, e.g. {step: {step_size: 5, gamma: 0.1}}", at: entry.key.mark, in: source)
                }
                let size = try Parameter.int(sizeNode, source, key: "lr_schedule step_size", min: 1, max: 1_000_000)
                let gamma = try value("gamma").map { (n) throws(YAMLError) -> Double in
                    try Parameter.number(n, source, key: "lr_schedule gamma", range: "> 0") { $0 > 0 }
                } ?? 0.1
                return .step(stepSize: size, gamma: gamma)
            case "cosine":
                for s in settings where s.key.value != "eta_min" {
                    throw YAMLError("unknown key '\(s.key.value)' in lr_schedule cosine; it takes eta_min", at: s.key.mark, in: source)
                }
                let eta = try value("eta_min").map { (n) throws(YAMLError) -> Double in
                    try Parameter.number(n, source, key: "lr_schedule eta_min", range: ">= 0") { $0 >= 0 }
                } ?? 0
                return .cosine(etaMin: eta == 0 ? 0 : eta)
            case "exponential":
                try only(["gamma"])
                let gamma = try Parameter.number(try required("gamma", "{exponential: {gamma: 0.998}}"), source,
                                                 key: "lr_schedule gamma", range: "in (0, 1]") { $0 > 0 && $0 <= 1 }
                return .exponential(gamma: gamma)
            case "linear":
                try only(["final_factor", "epochs", "begin"])
                let factor = try Parameter.number(try required("final_factor", "{linear: {final_factor: 0.02, epochs: 560}}"), source,
                                                  key: "lr_schedule final_factor", range: "in (0, 1]") { $0 > 0 && $0 <= 1 }
                let epochs = try Parameter.int(try required("epochs", "{linear: {final_factor: 0.02, epochs: 560}}"), source,
                                               key: "lr_schedule epochs", min: 1, max: 1_000_000)
                let begin = try value("begin").map { (n) throws(YAMLError) -> Int in
                    try Parameter.int(n, source, key: "lr_schedule begin", min: 1, max: 1_000_000)
                } ?? 1
                return .linear(finalFactor: factor, epochs: epochs, begin: begin)
            case "inverse_t":
                try only(["half_life"])
                let halfLife = try Parameter.number(try required("half_life", "{inverse_t: {half_life: 10000}}"), source,
                                                    key: "lr_schedule half_life", range: "> 0 (optimizer steps)") { $0 > 0 }
                return .inverseTime(halfLife: halfLife)
            default:
                let kinds = ["step", "cosine", "exponential", "linear", "inverse_t"]
                throw YAMLError(usage + "; got '\(entry.key.shortValue)'" + Suggestion.hint(for: entry.key.value, in: kinds),
                                at: entry.key.mark, in: source)
            }
        default:
            throw YAMLError(usage + "; got " + (node.scalar.map { "'\($0.shortValue)'" } ?? node.kindDescription), at: node.mark, in: source)
        }
    }
}
