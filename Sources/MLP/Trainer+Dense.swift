#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// A dense layer, z = x Wᵀ + b: its forward product, and backward its bias gradient, the input
/// gradient for the layers below and its weights' gradient or optimizer step (fused where the
/// kernel path has a kernel for it).
extension Trainer {
    /// z = x Wᵀ: x [rows, in], Wᵀ [in, out] as stored -> z [rows, out]; its bias comes next.
    func forwardDense(_ l: Int, rows: Int, _ walk: inout ForwardWalk) {
        let p = parameters.baseAddress!, layer = shape.layers[l]
        walk.owner = l
        product(m: rows, n: layer.outputs, k: layer.inputs, a: walk.x, lda: layer.inputs,
                b: p + layer.weightOffset, ldb: layer.outputs, c: z[l].baseAddress!, ldc: layer.outputs)
        walk.pendingBias = UnsafePointer(p + layer.biasOffset)
    }

    /// The bias gradient, dX for the layers below (dense layer 0 has none to give), then the
    /// weights' step or gradient; leaves `walk.delta` at the layer below's output.
    ///
    /// On the `.blas` path PyTorch's v = momentum * v + g is the GEMM itself (beta = momentum,
    /// C = v), done in row blocks small enough to stay in cache, each followed at once by
    /// p -= lr * v on the same block; on the own kernels' paths one kernel does both with the
    /// gradient tile in registers, so v and p are read and written once each (Adam's likewise).
    func backwardDense(_ l: Int, rows: Int, update: Bool, _ walk: inout BackwardWalk) {
        precondition(!walk.transposedBelow, "an activation comes between two dense layers (Layer.stack)")
        let layer = shape.layers[l]
        Kernels.columnSums(walk.delta, rows: rows, n: layer.outputs, into: gradients.baseAddress! + layer.biasOffset)
        if l > 0 {
            walk.transposedBelow = inputGradient(l, delta: walk.delta, rows: rows, columnsReady: walk.columnsReady)
            walk.columnsReady = false
        }
        denseStep(l, delta: walk.delta, rows: rows, update: update)
        if l > 0 { walk.delta = deltas[l - 1].baseAddress! }
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
            let scalars = adam.scalars(step: steps, lr: hyper.lr, weightDecay: hyper.weightDecay)
            let sw = secondMoment.baseAddress! + layer.weightOffset
            threadedWeights(x: x, rows: rows, inputs: layer.inputs, outputs: layer.outputs) { xb, width, i0 in
                let at = i0 * layer.outputs
                vector.adamWeightStep(xb, delta, rows, width, layer.outputs, w + at, vw + at, sw + at, scalars)
            }
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
            let (vector, lr, momentum) = (vector!, hyper.lr, hyper.momentum)
            threadedWeights(x: x, rows: rows, inputs: layer.inputs, outputs: layer.outputs) { xb, width, i0 in
                let at = i0 * layer.outputs
                vector.weightStep(xb, delta, rows, width, layer.outputs, w + at, vw + at, lr, momentum)
            }
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
            let vector = vector!
            threadedWeights(x: x, rows: rows, inputs: layer.inputs, outputs: layer.outputs) { xb, width, i0 in
                vector.weightGradient(xb, delta, rows, width, layer.outputs, g + i0 * layer.outputs)
            }
        case .naive:
            Reference.weightGradient(delta: x, x: delta, rows: rows, outputs: layer.inputs, inputs: layer.outputs, into: g)
        case .blas:
            BLAS.sgemm(transA: true, transB: false, m: layer.inputs, n: layer.outputs, k: rows, alpha: 1,
                       a: x, lda: layer.inputs, b: delta, ldb: layer.outputs,
                       beta: 0, c: g, ldc: layer.outputs)
        }
    }
}
