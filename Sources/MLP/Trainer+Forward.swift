#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// The forward walk over the layer stack (`Layer`), in training or evaluation mode.
extension Trainer {
    /// What the forward walk carries from one layer to the next: where the next dense layer
    /// reads its input, the dense layer the following layers act on, and a bias that the next
    /// pass adds (a dense layer's bias is added by the pass after it).
    struct ForwardWalk {
        var x: UnsafeMutablePointer<Float>
        var owner = 0
        var pendingBias: UnsafePointer<Float>?
    }

    /// The input of layer l as the next GEMM reads it: the batch, or the previous layer's
    /// activations (after dropout in training).
    @inline(__always)
    func layerInput(_ l: Int, training: Bool) -> UnsafeMutablePointer<Float> {
        if l == 0 { return training && hyper.inputDropout > 0 ? droppedInput.baseAddress! : input.baseAddress! }
        return training && hyper.dropout > 0 ? dropped[l - 1].baseAddress! : z[l - 1].baseAddress!
    }

    /// The forward pass: `stack` walked in order, from `input` to the logits in `z[last]`. Each
    /// kind of layer has its pass in its own file (`Trainer+Dense`, `+BatchNorm`, `+Activation`).
    func forward(rows: Int, training: Bool) {
        if training && hyper.inputDropout > 0 {
            Kernels.dropInputs(input.baseAddress!, rows: rows, n: shape.sizes[0], p: hyper.inputDropout, rng: &inputDropoutRNG,
                               out: droppedInput.baseAddress!)
        }
        var walk = ForwardWalk(x: layerInput(0, training: training))
        var i = 0
        while i < stack.count {
            switch stack[i] {
            case .dense(let l): forwardDense(l, rows: rows, &walk)
            case .batchNorm(let k): forwardBatchNorm(k, rows: rows, training: training, &walk)
            case .activation(let f):
                // The dropout right after an activation is drawn in the activation's pass.
                var drop: Float = 0
                if i + 1 < stack.count, case .dropout(let q) = stack[i + 1] {
                    drop = training ? q : 0
                    i += 1
                }
                forwardActivation(f, dropout: drop, rows: rows, &walk)
            case .dropout:
                preconditionFailure("dropout comes right after an activation (Layer.stack)")
            }
            i += 1
        }
        if let pendingBias = walk.pendingBias {
            Kernels.addBias(z[walk.owner].baseAddress!, pendingBias, rows: rows, n: shape.layers[walk.owner].outputs)
        }
    }
}
