import SpecYAML
import Vocabulary

extension Parameter {
    /// Reads `init:` a named scheme (`kaiming_uniform`, ...), or the dropout paper's forms:
    /// `{uniform: {bound: B}}`, `{normal: {std: S}}` and `{normal_fan_in: {sigma: S}}`, each
    /// with one value or one per dense layer.
    static func parseInit(_ node: Node, _ source: Source) throws(YAMLError) -> WeightInit {
        let names = WeightInit.named.map(\.name)
        let usage = "init must be one of \(names.joined(separator: ", ")), or {uniform: {bound: B}}, {normal: {std: S}} "
            + "or {normal_fan_in: {sigma: S}}"
        if case .scalar(let s) = node, !s.isNull {
            guard let named = WeightInit.named.first(where: { $0.name == s.value }) else {
                throw YAMLError(usage + "; got '\(s.shortValue)'" + Suggestion.hint(for: s.value, in: names), at: node.mark, in: source)
            }
            return named.scheme
        }
        guard case .mapping(let map) = node, map.entries.count == 1, case .mapping(let settings) = map.entries[0].value,
              settings.entries.count == 1 else {
            throw YAMLError(usage + "; got \(node.kindDescription)", at: node.mark, in: source)
        }
        let kind = map.entries[0].key, setting = settings.entries[0]
        let expected = ["uniform": "bound", "normal": "std", "normal_fan_in": "sigma"]
        guard let key = expected[kind.value] else {
            throw YAMLError(usage + "; got '\(kind.shortValue)'" + Suggestion.hint(for: kind.value, in: Array(expected.keys).sorted()),
                            at: kind.mark, in: source)
        }
        guard setting.key.value == key else {
            throw YAMLError("init \(kind.value) takes \(key), got '\(setting.key.shortValue)'", at: setting.key.mark, in: source)
        }
        func value(_ n: Node) throws(YAMLError) -> Double {
            try number(n, source, key: "init \(kind.value) \(key)", range: ">= 0") { $0 >= 0 }
        }
        let values: [Double]
        if case .sequence(let list) = setting.value, !list.items.isEmpty {
            values = try list.items.map { (item) throws(YAMLError) -> Double in try value(item) }
        } else {
            values = [try value(setting.value)]
        }
        switch kind.value {
        case "uniform": return .uniform(values)
        case "normal": return .normal(values)
        default: return .normalFanIn(values)
        }
    }
}
