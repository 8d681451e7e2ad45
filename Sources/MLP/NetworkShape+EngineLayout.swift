/// The engine keeps each dense layer's weights transposed, Wᵀ [in, out] row-major, the layout
/// its kernels want: the forward product z = x Wᵀ then reads rows of Wᵀ, contiguous over the
/// outputs it vectorises. Everything outside the engine (checkpoints, `Trainer.state`,
/// `parameterValues`, gradients for checks) sees `NetworkShape`'s flat layout, W [out, in] as
/// PyTorch's nn.Linear; these convert at that boundary. Biases and batch-norm parameters are
/// the same in both. Optimizer buffers (velocity, Adam's moments) follow their parameters.
extension NetworkShape {
    /// The flat layout's values in `values` [parameterCount], rewritten in place into the
    /// engine's.
    func toEngineLayout(_ values: UnsafeMutableBufferPointer<Float>) {
        let flat = Array(values)
        toEngineLayout(flat, into: values)
    }

    /// `flat` [parameterCount] (W [out, in]) into `engine` in the engine's layout (Wᵀ [in, out]).
    func toEngineLayout(_ flat: [Float], into engine: UnsafeMutableBufferPointer<Float>) {
        precondition(flat.count == parameterCount && engine.count >= parameterCount)
        _ = UnsafeMutableBufferPointer(rebasing: engine[0..<parameterCount]).update(fromContentsOf: flat)
        flat.withUnsafeBufferPointer { src in
            for layer in layers {
                Kernels.transpose(src.baseAddress! + layer.weightOffset, rows: layer.outputs, columns: layer.inputs,
                                  into: engine.baseAddress! + layer.weightOffset)
            }
        }
    }

    /// The engine's values [parameterCount] in the flat layout (W [out, in]).
    func fromEngineLayout(_ engine: UnsafeMutableBufferPointer<Float>) -> [Float] {
        var flat = Array(engine.prefix(parameterCount))
        flat.withUnsafeMutableBufferPointer { dst in
            for layer in layers {
                Kernels.transpose(engine.baseAddress! + layer.weightOffset, rows: layer.inputs, columns: layer.outputs,
                                  into: dst.baseAddress! + layer.weightOffset)
            }
        }
        return flat
    }
}
