#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// The backward walk over the layer stack, in reverse.
extension Trainer {
    /// What the backward walk carries down: dLoss/d(the current layer's output), and how the own
    /// kernels left it: their input gradient leaves dLoss/dx transposed in `inputGradientColumns`
    /// for the activation's pass to read (`transposedBelow`), which can leave dLoss/dz transposed
    /// in `deltaColumns` for the next input-gradient product (`columnsReady`).
    struct BackwardWalk {
        var delta: UnsafeMutablePointer<Float>
        var transposedBelow = false
        var columnsReady = false
    }

    /// Backward from `deltas[last]` (dLoss/dlogits): `stack` walked in reverse, each kind of
    /// layer's pass in its own file.
    ///
    /// Without `update` (gradient checks) every gradient is written into `gradients` (GEMMs with
    /// beta 0, bias sums from zero: no separate zeroing pass). With `update` each dense layer
    /// takes its optimizer step as soon as the gradient for the layers below is out (nothing
    /// below needs its old weights), without materialising the weight gradient where a fused
    /// kernel exists (`Trainer+Dense`). Batch norms' γ and β step last.
    func backward(rows: Int, update: Bool) {
        var walk = BackwardWalk(delta: deltas[deltas.count - 1].baseAddress!)
        var i = stack.count - 1
        while i >= 0 {
            switch stack[i] {
            case .dense(let l): backwardDense(l, rows: rows, update: update, &walk)
            case .dropout, .activation(_):
                // dZ = dH * mask * f'(h): a dropout and the activation below it in one pass.
                var owner = 0
                var j = i
                while j >= 0 { if case .dense(let l) = stack[j] { owner = l; break }; j -= 1 }
                var activation = Activation.relu, dropped = false
                if case .dropout = stack[i] {
                    dropped = true
                    i -= 1
                }
                if case .activation(let f) = stack[i] { activation = f }
                let next: Layer? = i > 0 ? stack[i - 1] : nil
                backwardActivation(activation, owner: owner, dropout: dropped, rows: rows,
                                   denseBelow: next == .dense(owner) && owner > 0, &walk)
            case .batchNorm(let k): backwardBatchNorm(k, rows: rows, &walk)
            }
            i -= 1
        }
        if update && shape.batchNorm {
            optimizerStep(shape.normOffset, count: shape.parameterCount - shape.normOffset)
        }
    }
}
