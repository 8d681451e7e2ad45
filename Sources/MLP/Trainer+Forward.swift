#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// The forward pass through the layer stack (`Layer`), in training or evaluation mode.
extension Trainer {
    /// The input of layer l as the next GEMM reads it: the batch, or the previous layer's
    /// activations (after dropout in training).
    @inline(__always)
    func layerInput(_ l: Int, training: Bool) -> UnsafeMutablePointer<Float> {
        if l == 0 { return input.baseAddress! }
        return training && hyper.dropout > 0 ? dropped[l - 1].baseAddress! : z[l - 1].baseAddress!
    }

    /// The running mean and variance of hidden layer l's batch norm.
    @inline(__always)
    func running(_ l: Int) -> (mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        (runningStatistics.baseAddress! + normStart[l], runningStatistics.baseAddress! + normUnits + normStart[l])
    }

    /// The forward pass: `stack` walked in order, from `input` to the logits in `z[last]`.
    func forward(rows: Int, training: Bool) {
        let p = parameters.baseAddress!
        var x = input.baseAddress!                 // what the next dense layer reads
        var owner = 0                              // the dense layer the following layers act on
        var pendingBias: UnsafePointer<Float>?     // a bias the next pass adds
        var i = 0
        while i < stack.count {
            let out = z[owner].baseAddress!, n = shape.layers[owner].outputs
            switch stack[i] {
            case .dense(let l):
                let layer = shape.layers[l]
                owner = l
                // z = x Wᵀ: x [rows, in], Wᵀ [in, out] as stored -> z [rows, out]; its bias comes next.
                product(m: rows, n: layer.outputs, k: layer.inputs, a: x, lda: layer.inputs,
                        b: p + layer.weightOffset, ldb: layer.outputs, c: z[l].baseAddress!, ldc: layer.outputs)
                pendingBias = UnsafePointer(p + layer.biasOffset)
            case .batchNorm(let k):
                // z = γ·x̂ with the Linear bias included in the statistics; β is added next.
                let norm = shape.norms[k], stats = running(k)
                if training {
                    Kernels.batchNormTrain(out, linearBias: pendingBias!, rows: rows, n: n,
                                           gamma: p + norm.gammaOffset, xhat: xhat[k].baseAddress!,
                                           invstd: invstd[k].baseAddress!, mean: normScratch[k].baseAddress!,
                                           runningMean: stats.mean, runningVar: stats.variance)
                } else {
                    Kernels.batchNormEvaluate(out, linearBias: pendingBias!, rows: rows, n: n,
                                              gamma: p + norm.gammaOffset, runningMean: stats.mean,
                                              runningVar: stats.variance, scale: normScratch[k].baseAddress!)
                }
                pendingBias = UnsafePointer(p + norm.betaOffset)
            case .activation(let f):
                // h = f(z + bias), and the dropout right after it in the same pass.
                var drop: Float = 0
                if i + 1 < stack.count, case .dropout(let q) = stack[i + 1] {
                    drop = training ? q : 0
                    i += 1
                }
                Kernels.biasActivateDropout(
                    z: out, bias: pendingBias!, rows: rows, n: n, activation: f, p: drop, rng: &dropoutRNG,
                    mask: masks[owner].baseAddress!, out: dropped[owner].baseAddress!)
                pendingBias = nil
                x = drop > 0 ? dropped[owner].baseAddress! : out
            case .dropout:
                preconditionFailure("dropout comes right after an activation (Layer.stack)")
            }
            i += 1
        }
        if let pendingBias {
            Kernels.addBias(z[owner].baseAddress!, pendingBias, rows: rows, n: shape.layers[owner].outputs)
        }
    }
}
