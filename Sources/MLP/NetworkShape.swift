import Vocabulary

/// The layout of a fully connected network and of its parameters in one flat buffer.
///
/// Layer l maps `sizes[l]` inputs to `sizes[l + 1]` outputs. Its weights W_l [out, in]
/// (row-major, PyTorch's `nn.Linear.weight` layout) start at `layers[l].weightOffset`, its bias
/// [out] at `layers[l].biasOffset`, in the order fc1.weight, fc1.bias, fc2.weight, ...
///
/// With `batchNorm`, each hidden layer's Linear is followed by a BatchNorm1d (then the
/// activation, then dropout: the book chapter's order), whose weight γ and bias β [out] follow
/// all the Linear parameters (`norms[l]`), as PyTorch lists the chapter's modules: fc1, fc2,
/// fc3, batch_norm1, batch_norm2. The Linear offsets are the same with or without it.
public struct NetworkShape: Sendable, Equatable {
    /// A hidden layer's BatchNorm1d: γ at `gammaOffset`, β at `betaOffset`, `units` each.
    public struct Norm: Sendable, Equatable {
        public let units: Int
        public let gammaOffset: Int
        public let betaOffset: Int
    }
    /// A dense layer's place in the flat buffer: W [outputs, inputs] at `weightOffset`, its
    /// bias at `biasOffset`. (The layers a batch passes through are `MLP.Layer`.)
    public struct Dense: Sendable, Equatable {
        public let inputs: Int
        public let outputs: Int
        public let weightOffset: Int
        public let biasOffset: Int
    }

    /// [inputs, hidden..., classes], e.g. [784, 512, 256, 10].
    public let sizes: [Int]
    public let layers: [Dense]
    /// Per hidden layer, its BatchNorm1d; empty without batch norm.
    public let norms: [Norm]
    /// Where the BatchNorm parameters start (`parameterCount` without batch norm).
    public let normOffset: Int
    /// Total number of parameters (weights and biases).
    public let parameterCount: Int

    /// Whether hidden layers are batch-normalised (with `hidden: []` there is nothing to normalise).
    public let batchNorm: Bool

    public init(inputs: Int, hidden: [Int], classes: Int, batchNorm: Bool = false) {
        sizes = [inputs] + hidden + [classes]
        var offset = 0
        var layers: [Dense] = []
        for l in 0..<(sizes.count - 1) {
            let layer = Dense(inputs: sizes[l], outputs: sizes[l + 1], weightOffset: offset,
                              biasOffset: offset + sizes[l] * sizes[l + 1])
            offset = layer.biasOffset + layer.outputs
            layers.append(layer)
        }
        self.layers = layers
        normOffset = offset
        self.batchNorm = batchNorm
        var norms: [Norm] = []
        if batchNorm {
            for units in hidden {
                norms.append(Norm(units: units, gammaOffset: offset, betaOffset: offset + units))
                offset += 2 * units
            }
        }
        self.norms = norms
        parameterCount = offset
    }

    /// Multiply-adds of one example's forward pass.
    public var forwardMACs: Int { layers.reduce(0) { $0 + $1.inputs * $1.outputs } }


    /// Initialises every layer, weights before biases, layer by layer, from `rng`. With
    /// `.default` this is PyTorch's `nn.Linear` initialisation (and the engine's draws are the
    /// same as before the other schemes existed).
    /// - Parameter parameters: [parameterCount], overwritten.
    public func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, rng: inout RandomStream,
                           weights scheme: WeightInit = .default) {
        for (l, layer) in layers.enumerated() {
            let fanIn = Double(layer.inputs), fanOut = Double(layer.outputs)
            let bound = 1 / Float(layer.inputs).squareRoot()
            let weights = layer.weightOffset..<layer.biasOffset
            // A per-layer list's value for this layer (one value: every layer's).
            func each(_ list: [Double]) -> Double { list.count == 1 ? list[0] : list[l] }
            switch scheme {
            case .default:
                for i in weights { parameters[i] = (rng.nextUnitFloat() * 2 - 1) * bound }
            case .kaimingUniform, .xavierUniform:
                let b = Float(scheme == .kaimingUniform ? 2.0.squareRoot() * (3 / fanIn).squareRoot()
                                                         : (6 / (fanIn + fanOut)).squareRoot())
                for i in weights { parameters[i] = (rng.nextUnitFloat() * 2 - 1) * b }
            case .kaimingNormal, .xavierNormal:
                let std = scheme == .kaimingNormal ? 2.0.squareRoot() / fanIn.squareRoot() : (2 / (fanIn + fanOut)).squareRoot()
                for i in weights { parameters[i] = Float(rng.nextGaussian() * std) }
            case .uniform(let bounds):
                let b = Float(each(bounds))
                for i in weights { parameters[i] = (rng.nextUnitFloat() * 2 - 1) * b }
            case .normal(let stds):
                let std = each(stds)
                for i in weights { parameters[i] = Float(rng.nextGaussian() * std) }
            case .normalFanIn(let sigmas):
                let std = each(sigmas) / fanIn.squareRoot()
                for i in weights { parameters[i] = Float(rng.nextGaussian() * std) }
            }
            for i in layer.biasOffset..<(layer.biasOffset + layer.outputs) {
                parameters[i] = scheme.zeroBiases ? 0 : (rng.nextUnitFloat() * 2 - 1) * bound
            }
        }
        // BatchNorm1d: γ = 1, β = 0 (no draws, so the Linear layers start as without it).
        for norm in norms {
            for i in 0..<norm.units {
                parameters[norm.gammaOffset + i] = 1
                parameters[norm.betaOffset + i] = 0
            }
        }
    }
}
