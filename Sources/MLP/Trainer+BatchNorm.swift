#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// BatchNorm1d over a dense layer's outputs (`NetworkShape.norms`): batch statistics in
/// training (and the running ones updated), the running ones in evaluation; γ and β trained.
extension Trainer {
    /// The running mean and variance of hidden layer l's batch norm.
    @inline(__always)
    func running(_ l: Int) -> (mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        (runningStatistics.baseAddress! + normStart[l], runningStatistics.baseAddress! + normUnits + normStart[l])
    }

    /// z = γ·x̂ with the dense layer's bias included in the statistics; β is added by the next pass.
    func forwardBatchNorm(_ k: Int, rows: Int, training: Bool, _ walk: inout ForwardWalk) {
        let p = parameters.baseAddress!
        let out = z[walk.owner].baseAddress!, n = shape.layers[walk.owner].outputs
        let norm = shape.norms[k], stats = running(k)
        if training {
            Kernels.batchNormTrain(out, linearBias: walk.pendingBias!, rows: rows, n: n,
                                   gamma: p + norm.gammaOffset, xhat: xhat[k].baseAddress!,
                                   invstd: invstd[k].baseAddress!, mean: normScratch[k].baseAddress!,
                                   runningMean: stats.mean, runningVar: stats.variance)
        } else {
            Kernels.batchNormEvaluate(out, linearBias: walk.pendingBias!, rows: rows, n: n,
                                      gamma: p + norm.gammaOffset, runningMean: stats.mean,
                                      runningVar: stats.variance, scale: normScratch[k].baseAddress!)
        }
        walk.pendingBias = UnsafePointer(p + norm.betaOffset)
    }

    /// dLoss/dx from dLoss/dz in place, and γ's and β's gradients (their step comes after the walk).
    func backwardBatchNorm(_ k: Int, rows: Int, _ walk: inout BackwardWalk) {
        let p = parameters.baseAddress!, g = gradients.baseAddress!, norm = shape.norms[k]
        Kernels.batchNormBackward(walk.delta, xhat: xhat[k].baseAddress!, invstd: invstd[k].baseAddress!,
                                  gamma: p + norm.gammaOffset, rows: rows, n: norm.units,
                                  dGamma: g + norm.gammaOffset, dBeta: g + norm.betaOffset)
    }
}
