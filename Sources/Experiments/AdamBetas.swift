import SpecYAML

/// `betas:` Adam's two averaging coefficients, (beta1, beta2) as PyTorch writes them: beta1
/// for the gradient's running mean, beta2 for its square's. Both in [0, 1).
public struct AdamBetas: Hashable, Sendable, CustomStringConvertible {
    public var beta1: Double
    public var beta2: Double

    public init(_ beta1: Double, _ beta2: Double) {
        self.beta1 = beta1
        self.beta2 = beta2
    }

    /// PyTorch's default, (0.9, 0.999).
    public static let pytorch = AdamBetas(0.9, 0.999)

    /// The canonical spelling, beta1/beta2: `0.9/0.999`.
    public var description: String { "\(beta1)/\(beta2)" }

    public init?(canonical text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let b1 = Double(parts[0]), let b2 = Double(parts[1]) else { return nil }
        self.init(b1, b2)
    }

    /// Reads `[beta1, beta2]`, each a number in [0, 1) as a 32-bit float.
    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> AdamBetas {
        guard case .sequence(let list) = node, list.items.count == 2 else {
            throw YAMLError("betas must be a list of two numbers in [0, 1) such as [0.9, 0.999]; got "
                + (node.scalar.map { "'\($0.shortValue)'" } ?? node.kindDescription), at: node.mark, in: source)
        }
        func beta(_ item: Node, _ name: String) throws(YAMLError) -> Double {
            let value = try Parameter.number(item, source, key: name, range: "in [0, 1)") { $0 >= 0 && $0 < 1 }
            // The engine multiplies in Float32: a beta that rounds to 1 would stop learning.
            guard Float(value) < 1 else {
                throw YAMLError("\(name) must be below 1 as a 32-bit float, the engine's precision; got \(value), "
                    + "which becomes 1.0", at: item.mark, in: source)
            }
            return value == 0 ? 0 : value
        }
        return AdamBetas(try beta(list.items[0], "betas[0] (beta1)"), try beta(list.items[1], "betas[1] (beta2)"))
    }
}
