#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// One step: forward, loss and backward, then the optimizer; and the two seams every step
/// goes through: the matrix product on the chosen kernel path and the optimizer's update.
extension Trainer {
    /// Forward, loss, backward and the optimizer's step on the `rows` examples in `input` and
    /// `batchLabels` (or `batchTargets`).
    /// - Returns: the sum of the rows' losses (the step minimises their mean).
    func step(rows: Int) -> Double {
        if let halfLife = hyper.inverseTimeHalfLife {
            hyper.lr = Float(Double(epochRates.lr) / (1 + Double(steps) / halfLife))
        }
        if let approach = hyper.momentumApproach {
            hyper.momentum = Float(approach.end - (approach.end - Double(epochRates.momentum)) * exp(-Double(steps) / approach.steps))
        }
        return forwardBackward(rows: rows, update: true)
    }

    /// Forward (training mode), loss and backward into `gradients`, then (with `update`) the
    /// optimizer's step; returns the loss sum.
    func forwardBackward(rows: Int, update: Bool) -> Double {
        if update { steps += 1 }
        forward(rows: rows, training: true)
        let last = shape.layers.count - 1
        let lossSum: Double
        switch hyper.task {
        case .classification:
            lossSum = Kernels.softmaxCrossEntropy(
                logits: z[last].baseAddress!, labels: batchLabels.baseAddress!, rows: rows,
                classes: shape.sizes.last!, delta: deltas[last].baseAddress!, scale: 1 / Float(rows)).lossSum
        case .regression:
            lossSum = Kernels.squaredError(
                outputs: z[last].baseAddress!, targets: batchTargets.baseAddress!, rows: rows,
                width: shape.sizes.last!, delta: deltas[last].baseAddress!, scale: 1 / Float(rows))
        }
        backward(rows: rows, update: update)
        if update && !hyper.maxNorm.isEmpty {
            for (layer, limit) in zip(shape.layers, hyper.maxNorm) where limit > 0 {
                Kernels.limitColumnNorms(parameters.baseAddress! + layer.weightOffset, inputs: layer.inputs,
                                         outputs: layer.outputs, limit: limit, norms: columnNorms.baseAddress!)
            }
        }
        return lossSum
    }


    /// C = A B, all row-major with row strides, on `kernels`' path: the own kernels, their naive
    /// twin, or the BLAS.
    func product(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                 c: UnsafeMutablePointer<Float>, ldc: Int) {
        switch kernels {
        case .avx512, .avx2:
            if threads > 1 {
                threadedProduct(vector!, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
            } else {
                vector!.matrixProduct(m, n, k, a, lda, b, ldb, c, ldc)
            }
        case .naive: Reference.gemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
        case .blas:
            BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb,
                       beta: 0, c: c, ldc: ldc)
        }
    }

    /// The optimizer's step on parameters [offset, offset + count) from their gradients.
    func optimizerStep(_ offset: Int, count: Int) {
        let p = parameters.baseAddress! + offset, g = gradients.baseAddress! + offset
        let v = velocity.baseAddress! + offset
        switch hyper.optimizer {
        case .sgd where fusedSGD:
            Kernels.sgdMomentum(parameters: p, gradients: g, velocity: v, count: count,
                                lr: hyper.lr, momentum: hyper.momentum)
        case .sgd:
            Kernels.sgd(parameters: p, gradients: g, velocity: v, count: count, lr: hyper.lr,
                        momentum: hyper.momentum, weightDecay: hyper.weightDecay, nesterov: hyper.nesterov)
        case .adam(let adam):
            Kernels.adam(parameters: p, gradients: g, firstMoment: v, secondMoment: secondMoment.baseAddress! + offset,
                         count: count, adam.scalars(step: steps, lr: hyper.lr, weightDecay: hyper.weightDecay))
        }
    }

    /// Plain SGD (no decay, no Nesterov): the weight step fused with its gradient.
    var fusedSGD: Bool {
        hyper.optimizer == .sgd && hyper.weightDecay == 0 && !hyper.nesterov
    }
}
