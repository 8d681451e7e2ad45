import Vocabulary

/// One layer of the network as the engine's forward and backward passes walk it, in order:
/// the network is a `[Layer]` (`Layer.stack`). Each kind's passes live in a file of their own
/// (`Trainer+Dense`, `Trainer+BatchNorm`, `Trainer+Activation`), so adding a kind of layer is a
/// case here, its file (forward and backward passes; kernels with naive twins) and one dispatch
/// line in each walk (`Trainer+Forward`, `Trainer+Backward`).
///
/// Adjacent layers share passes over memory where the walk can fuse them: a dense layer's bias
/// is added by the pass that follows it (the activation's, or batch norm's), and dropout is
/// drawn in the activation's pass.
public enum Layer: Sendable, Equatable {
    /// `NetworkShape.layers[index]`: z = x Wᵀ + b.
    case dense(Int)
    /// `NetworkShape.norms[index]`: BatchNorm1d over the preceding dense layer's outputs.
    case batchNorm(Int)
    /// The nonlinearity, element-wise.
    case activation(Activation)
    /// Inverted dropout with probability p (training only); always right after an activation.
    case dropout(Float)

    /// The book chapter's order for every hidden layer, Linear → [BatchNorm] → activation →
    /// [dropout], then the output Linear: the seed post's network, and with batch norm the
    /// chapter's.
    public static func stack(_ shape: NetworkShape, activation: Activation, dropout: Float) -> [Layer] {
        var layers: [Layer] = []
        for l in shape.layers.indices {
            layers.append(.dense(l))
            guard l < shape.layers.count - 1 else { break }
            if shape.batchNorm { layers.append(.batchNorm(l)) }
            layers.append(.activation(activation))
            if dropout > 0 { layers.append(.dropout(dropout)) }
        }
        return layers
    }
}
