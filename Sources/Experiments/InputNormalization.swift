import SpecYAML

/// `normalize:` how input pixels are standardised after scaling to [0, 1], as torchvision's
/// `transforms.Normalize((mean,), (std,))` does: x → (x − mean) / std.
public struct InputNormalization: Hashable, Sendable, CustomStringConvertible {
    public var mean: Double
    public var std: Double

    public init(mean: Double, std: Double) {
        self.mean = mean
        self.std = std
    }

    /// MNIST's usual figures (the training set's mean and standard deviation of ToTensor()
    /// pixels), as the PyTorch examples write them.
    public static let mnist = InputNormalization(mean: 0.1307, std: 0.3081)

    /// The canonical spelling, mean/std: `0.1307/0.3081` (`mnist` spells the same numbers).
    public var description: String { "\(mean)/\(std)" }

    public init?(canonical text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let mean = Double(parts[0]), let std = Double(parts[1]) else { return nil }
        self.init(mean: mean, std: std)
    }

    /// Reads `none` (nil), `mnist`, or `[mean, std]`, checked as 32-bit floats.
    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> InputNormalization? {
        let usage = "normalize must be none, mnist, or [mean, std] such as [0.1307, 0.3081]"
        switch node {
        case .scalar(let s) where s.value == "none": return nil
        case .scalar(let s) where s.value == "mnist": return .mnist
        case .sequence(let list) where list.items.count == 2:
            let mean = try Parameter.number(list.items[0], source, key: "normalize mean", range: "(finite)") { Float($0).isFinite }
            let std = try Parameter.number(list.items[1], source, key: "normalize std", range: "> 0") { Float($0).isNormal && $0 > 0 }
            return InputNormalization(mean: mean == 0 ? 0 : mean, std: std)
        default:
            throw YAMLError(usage + "; got " + (node.scalar.map { "'\($0.shortValue)'" } ?? node.kindDescription), at: node.mark, in: source)
        }
    }
}
