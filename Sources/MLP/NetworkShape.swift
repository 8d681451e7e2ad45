/// The layout of a fully connected network and of its parameters in one flat buffer.
///
/// Layer l maps `sizes[l]` inputs to `sizes[l + 1]` outputs. Its weights W_l [out, in]
/// (row-major, PyTorch's `nn.Linear.weight` layout) start at `layers[l].weightOffset`, its bias
/// [out] at `layers[l].biasOffset`, in the order fc1.weight, fc1.bias, fc2.weight, ...
public struct NetworkShape: Sendable, Equatable {
    public struct Layer: Sendable, Equatable {
        public let inputs: Int
        public let outputs: Int
        public let weightOffset: Int
        public let biasOffset: Int
    }

    /// [inputs, hidden..., classes], e.g. [784, 512, 256, 10].
    public let sizes: [Int]
    public let layers: [Layer]
    /// Total number of parameters (weights and biases).
    public let parameterCount: Int

    public init(inputs: Int, hidden: [Int], classes: Int) {
        sizes = [inputs] + hidden + [classes]
        var offset = 0
        var layers: [Layer] = []
        for l in 0..<(sizes.count - 1) {
            let layer = Layer(inputs: sizes[l], outputs: sizes[l + 1], weightOffset: offset,
                              biasOffset: offset + sizes[l] * sizes[l + 1])
            offset = layer.biasOffset + layer.outputs
            layers.append(layer)
        }
        self.layers = layers
        parameterCount = offset
    }

    /// Multiply-adds of one example's forward pass.
    public var forwardMACs: Int { layers.reduce(0) { $0 + $1.inputs * $1.outputs } }

    /// PyTorch's `nn.Linear` default initialisation: every weight and bias uniform in
    /// ±1/sqrt(fan_in), drawn layer by layer, weights before biases.
    /// - Parameter parameters: [parameterCount], overwritten.
    public func initialize(_ parameters: UnsafeMutableBufferPointer<Float>, rng: inout RandomStream) {
        for layer in layers {
            let bound = 1 / Float(layer.inputs).squareRoot()
            for i in layer.weightOffset..<(layer.biasOffset + layer.outputs) {
                parameters[i] = (rng.nextUnitFloat() * 2 - 1) * bound
            }
        }
    }
}
