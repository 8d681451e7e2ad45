import SpecYAML

/// `max_norm:` the dropout paper's constraint: after every step, each unit's incoming weight
/// vector is rescaled to L2 norm at most c (as PyTorch's `torch.renorm`, Keras' `MaxNorm`,
/// pylearn2's `max_col_norm`, deepnet's `weight_norm`), on every dense layer (one c, as deepnet
/// applies it) or on each its own (a list, hidden layers then the output layer, as pylearn2's
/// per-layer `max_col_norm`).
public enum MaxNorm: Hashable, Sendable, CustomStringConvertible {
    case every(Double)
    case perLayer([Double])

    /// The canonical spelling: `3.0`, or `4.378/2.97/4.627` per layer.
    public var description: String {
        switch self {
        case .every(let c): "\(c)"
        case .perLayer(let list): list.map { "\($0)" }.joined(separator: "/")
        }
    }

    public init?(canonical text: String) {
        let parts = text.split(separator: "/").map { Double($0) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! > 0 }) else { return nil }
        self = text.contains("/") ? .perLayer(parts.map { $0! }) : .every(parts[0]!)
    }

    /// The limit of each of `layers` dense layers.
    public func limits(layers: Int) -> [Double] {
        switch self {
        case .every(let c): [Double](repeating: c, count: layers)
        case .perLayer(let list): list
        }
    }

    /// Reads `none` (nil), a number c > 0, or a list of them (two or more).
    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> MaxNorm? {
        let usage = "max_norm must be none, a number c > 0 (every layer), or a list of them (each dense layer, the output layer last)"
        if case .scalar(let s) = node, s.value == "none" { return nil }
        func limit(_ n: Node) throws(YAMLError) -> Double {
            try Parameter.number(n, source, key: "max_norm", range: "> 0") { $0 > 0 }
        }
        switch node {
        case .scalar: return .every(try limit(node))
        case .sequence(let list) where list.items.count >= 2:
            return .perLayer(try list.items.map { (item) throws(YAMLError) -> Double in try limit(item) })
        default:
            throw YAMLError(usage + "; got \(node.kindDescription)", at: node.mark, in: source)
        }
    }
}
