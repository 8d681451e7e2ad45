#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// The backward pass: deltas layer by layer, each dense layer's weight gradient fused with
/// the optimizer's step where the kernel path has one.
extension Trainer {
    /// Backward from `deltas[last]` (dLoss/dlogits): `stack` walked in reverse.
    ///
    /// Without `update` (gradient checks) every gradient is written into `gradients` (GEMMs with
    /// beta 0, bias sums from zero: no separate zeroing pass). With `update` each dense layer
    /// takes its optimizer step as soon as the gradient for the layers below is out (nothing
    /// below needs its old weights), without materialising the weight gradient where a fused
    /// kernel exists. On the `.blas` path PyTorch's v = momentum * v + g is the GEMM itself
    /// (beta = momentum, C = v), done in row blocks small enough to stay in cache, each followed
    /// at once by p -= lr * v on the same block; on the own kernels' paths one kernel does both
    /// with the gradient tile in registers, so v and p are read and written once each (Adam's
    /// likewise). Batch norms' γ and β step last.
    func backward(rows: Int, update: Bool) {
        let p = parameters.baseAddress!, g = gradients.baseAddress!
        var delta = deltas[deltas.count - 1].baseAddress!   // dLoss/d(the current layer's output)
        // The own kernels' input gradient leaves dLoss/dx transposed in inputGradientColumns for the
        // activation's pass to read (`transposedBelow`), which can leave dLoss/dz transposed in
        // deltaColumns for the next input-gradient product (`columnsReady`).
        var transposedBelow = false, columnsReady = false
        var i = stack.count - 1
        while i >= 0 {
            switch stack[i] {
            case .dense(let l):
                precondition(!transposedBelow, "an activation comes between two dense layers (Layer.stack)")
                let layer = shape.layers[l]
                Kernels.columnSums(delta, rows: rows, n: layer.outputs, into: g + layer.biasOffset)
                if l > 0 {
                    transposedBelow = inputGradient(l, delta: delta, rows: rows, columnsReady: columnsReady)
                    columnsReady = false
                }
                denseStep(l, delta: delta, rows: rows, update: update)
                if l > 0 { delta = deltas[l - 1].baseAddress! }
            case .dropout, .activation(_):
                // dZ = dH * mask * f'(h), dropout and activation in one pass (h is in z).
                var owner = 0
                var j = i
                while j >= 0 { if case .dense(let l) = stack[j] { owner = l; break }; j -= 1 }
                var activation = Activation.relu, mask: UnsafePointer<Float>? = nil
                if case .dropout = stack[i] {
                    mask = UnsafePointer(masks[owner].baseAddress!)
                    i -= 1
                }
                if case .activation(let f) = stack[i] { activation = f }
                let n = shape.layers[owner].outputs
                if transposedBelow {
                    // dH arrived transposed (the own kernels' input gradient): the pass reads it so,
                    // and when the dense layer below is next and not the first also writes dZᵀ for
                    // its input-gradient product.
                    var next: Layer? = nil
                    if i > 0 { next = stack[i - 1] }
                    let below = next == .dense(owner) && owner > 0
                    Kernels.transposedActivationDropoutBackward(
                        inputGradientColumns.baseAddress!, rows: rows, n: n, h: z[owner].baseAddress!, mask: mask,
                        activation: activation, into: delta, deltaColumns: below ? deltaColumns.baseAddress! : nil)
                    transposedBelow = false
                    columnsReady = below
                } else {
                    Kernels.activationDropoutBackward(delta, h: z[owner].baseAddress!, mask: mask, count: rows * n,
                                                      activation: activation)
                }
            case .batchNorm(let k):
                let norm = shape.norms[k]
                Kernels.batchNormBackward(delta, xhat: xhat[k].baseAddress!, invstd: invstd[k].baseAddress!,
                                          gamma: p + norm.gammaOffset, rows: rows, n: norm.units,
                                          dGamma: g + norm.gammaOffset, dBeta: g + norm.betaOffset)
            }
            i -= 1
        }
        if update && shape.batchNorm {
            optimizerStep(shape.normOffset, count: shape.parameterCount - shape.normOffset)
        }
    }

    /// dX = delta W [rows, in], the gradient below dense layer l, from delta [rows, out] and
    /// Wᵀ [in, out] as stored. The own kernels want the product's columns contiguous: they compute
    /// dXᵀ = Wᵀ deltaᵀ [in, rows] into `inputGradientColumns` from deltaᵀ in `deltaColumns`
    /// (transposed here unless `columnsReady`), and leave dXᵀ for the activation's backward pass,
    /// which reads it transposed; BLAS writes dX into `deltas[l - 1]` itself.
    /// - Returns: whether dX was left transposed in `inputGradientColumns`.
    func inputGradient(_ l: Int, delta: UnsafeMutablePointer<Float>, rows: Int, columnsReady: Bool) -> Bool {
        let layer = shape.layers[l]
        let wt = parameters.baseAddress! + layer.weightOffset, below = deltas[l - 1].baseAddress!
        switch kernels {
        case .avx512, .avx2, .naive:
            if !columnsReady { Kernels.transpose(delta, rows: rows, columns: layer.outputs, into: deltaColumns.baseAddress!) }
            product(m: layer.inputs, n: rows, k: layer.outputs, a: wt, lda: layer.outputs,
                    b: deltaColumns.baseAddress!, ldb: rows, c: inputGradientColumns.baseAddress!, ldc: rows)
            return true
        case .blas:
            BLAS.sgemm(transA: false, transB: true, m: rows, n: layer.inputs, k: layer.outputs, alpha: 1,
                       a: delta, lda: layer.outputs, b: wt, ldb: layer.outputs,
                       beta: 0, c: below, ldc: layer.inputs)
            return false
        }
    }

    /// Dense layer l's weights and bias, given dLoss/dz: their gradient (without `update`), or
    /// the optimizer's step (with it); the bias gradient is already in `gradients`.
    func denseStep(_ l: Int, delta: UnsafeMutablePointer<Float>, rows: Int, update: Bool) {
        let layer = shape.layers[l]
        let p = parameters.baseAddress!, g = gradients.baseAddress!, v = velocity.baseAddress!
        let x = layerInput(l, training: true)
        // Weights are stored as Wᵀ [in, out], so their gradient is dWᵀ = xᵀ delta: the weight-step
        // kernels (written for W [out, in] and dW = deltaᵀ x) take x as "delta" and delta as "x".
        // Each element's sum is the same products in the same order either way.
        let (w, vw) = (p + layer.weightOffset, v + layer.weightOffset)
        if update, case .adam(let adam) = hyper.optimizer, let vector {
            // Adam's step fused with the weight gradient, then the biases'.
            vector.adamWeightStep(x, delta, rows, layer.inputs, layer.outputs, w, vw,
                                  secondMoment.baseAddress! + layer.weightOffset,
                                  adam.scalars(step: steps, lr: hyper.lr, weightDecay: hyper.weightDecay))
            optimizerStep(layer.biasOffset, count: layer.outputs)
            return
        }
        if !update || !fusedSGD {
            // The weight gradient itself (for checks, or for a step that needs it: Adam off the
            // fused path, SGD with decay or Nesterov), then one pass over the layer's weights and
            // biases (contiguous: no allocation).
            weightGradient(l, delta: delta, rows: rows)
            if update { optimizerStep(layer.weightOffset, count: layer.inputs * layer.outputs + layer.outputs) }
            return
        }
        switch kernels {
        case .avx512, .avx2:
            vector!.weightStep(x, delta, rows, layer.inputs, layer.outputs, w, vw, hyper.lr, hyper.momentum)
        case .naive:
            weightGradient(l, delta: delta, rows: rows)
            Reference.momentumStep(parameters: w, velocity: vw, gradients: g + layer.weightOffset,
                                   count: layer.inputs * layer.outputs, lr: hyper.lr, momentum: hyper.momentum)
        case .blas:
            Kernels.weightStepBLAS(delta: x, x: delta, rows: rows, outputs: layer.inputs, inputs: layer.outputs,
                                   parameters: w, velocity: vw, lr: hyper.lr, momentum: hyper.momentum)
        }
        Kernels.sgdMomentum(parameters: p + layer.biasOffset, gradients: g + layer.biasOffset,
                            velocity: v + layer.biasOffset, count: layer.outputs,
                            lr: hyper.lr, momentum: hyper.momentum)
    }

    /// dWᵀ = xᵀ delta [in, out] of dense layer l into `gradients`: x [rows, in], delta [rows, out].
    func weightGradient(_ l: Int, delta: UnsafeMutablePointer<Float>, rows: Int) {
        let layer = shape.layers[l]
        let x = layerInput(l, training: true), g = gradients.baseAddress! + layer.weightOffset
        switch kernels {
        case .avx512, .avx2:
            vector!.weightGradient(x, delta, rows, layer.inputs, layer.outputs, g)
        case .naive:
            Reference.weightGradient(delta: x, x: delta, rows: rows, outputs: layer.inputs, inputs: layer.outputs, into: g)
        case .blas:
            BLAS.sgemm(transA: true, transB: false, m: layer.inputs, n: layer.outputs, k: rows, alpha: 1,
                       a: x, lda: layer.inputs, b: delta, ldb: layer.outputs,
                       beta: 0, c: g, ldc: layer.outputs)
        }
    }
}
