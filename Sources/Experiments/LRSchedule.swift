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

    /// The canonical spelling (run ids hash it): `constant`, `step(step_size=5,gamma=0.1)`,
    /// `cosine(eta_min=0.0)`.
    public var description: String {
        switch self {
        case .constant: "constant"
        case .step(let size, let gamma): "step(step_size=\(size),gamma=\(gamma))"
        case .cosine(let etaMin): "cosine(eta_min=\(etaMin))"
        }
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
    /// where t (PyTorch's last_epoch) is epoch − 1.
    public func lr(epoch: Int, base: Double, epochs: Int) -> Double {
        var lr = base
        guard epoch > 1 else { return lr }
        for t in 1..<epoch {
            switch self {
            case .constant:
                return base
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

    /// Reads `constant`, `cosine`, `{step: {step_size: 5, gamma: 0.1}}` or
    /// `{cosine: {eta_min: 0.0001}}`.
    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> LRSchedule {
        let usage = "lr_schedule must be constant, cosine, {step: {step_size: N, gamma: G}} or {cosine: {eta_min: E}}"
        switch node {
        case .scalar(let s) where s.value == "constant": return .constant
        case .scalar(let s) where s.value == "cosine": return .cosine(etaMin: 0)
        case .mapping(let map) where map.entries.count == 1:
            let entry = map.entries[0]
            let settings: [Node.Mapping.Entry]
            switch entry.value {
            case .mapping(let m): settings = m.entries
            case .scalar(let s) where s.isNull: settings = []
            default: throw YAMLError(usage + "; got \(entry.value.kindDescription) under \(entry.key.value)", at: entry.value.mark, in: source)
            }
            func value(_ key: String) -> Node? { settings.first { $0.key.value == key }?.value }
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
            default:
                throw YAMLError(usage + "; got '\(entry.key.shortValue)'" + Suggestion.hint(for: entry.key.value, in: ["step", "cosine"]),
                                at: entry.key.mark, in: source)
            }
        default:
            throw YAMLError(usage + "; got " + (node.scalar.map { "'\($0.shortValue)'" } ?? node.kindDescription), at: node.mark, in: source)
        }
    }
}
