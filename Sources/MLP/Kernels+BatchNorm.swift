/// BatchNorm1d as PyTorch 1.13 computes it (eps 1e-5, momentum 0.1, affine), over the
/// pre-activations a [rows, n] of one hidden layer, columns being the features. The trainer
/// lets the activation pass add β (`biasActivateDropout`'s bias), so these kernels write γ·x̂.
/// `Reference.batchNormLoss` is the naive twin the gradient checks use.
extension Kernels {
    public static let batchNormEps: Float = 1e-5
    public static let batchNormMomentum: Float = 0.1

    /// Training mode, in place: a += linear bias; per column the batch mean μ and biased
    /// variance σ² (the normalisation's), x̂ = (a − μ)/√(σ² + ε) into `xhat`, 1/√(σ² + ε) into
    /// `invstd`, a = γ·x̂; and the running estimates move by momentum 0.1 towards μ and the
    /// unbiased variance σ²·rows/(rows − 1), as PyTorch's. Needs rows ≥ 2 (PyTorch refuses 1).
    /// - Parameters: `mean` [n] is scratch.
    public static func batchNormTrain(_ a: UnsafeMutablePointer<Float>, linearBias: UnsafePointer<Float>,
                                      rows: Int, n: Int, gamma: UnsafePointer<Float>,
                                      xhat: UnsafeMutablePointer<Float>, invstd: UnsafeMutablePointer<Float>,
                                      mean: UnsafeMutablePointer<Float>,
                                      runningMean: UnsafeMutablePointer<Float>, runningVar: UnsafeMutablePointer<Float>) {
        precondition(rows >= 2, "batch norm needs at least 2 rows in training")
        // Row by row, so each inner loop runs along a row and vectorises.
        mean.update(repeating: 0, count: n)
        for r in 0..<rows {
            let row = a + r * n
            for j in 0..<n {
                row[j] += linearBias[j]
                mean[j] += row[j]
            }
        }
        let inverseRows = 1 / Float(rows)
        for j in 0..<n { mean[j] *= inverseRows }
        invstd.update(repeating: 0, count: n)  // the sum of squared deviations, first
        for r in 0..<rows {
            let row = a + r * n
            for j in 0..<n {
                let d = row[j] - mean[j]
                invstd[j] += d * d
            }
        }
        let momentum = batchNormMomentum, unbiased = Float(rows) / Float(rows - 1)
        for j in 0..<n {
            let variance = invstd[j] * inverseRows
            runningMean[j] = (1 - momentum) * runningMean[j] + momentum * mean[j]
            runningVar[j] = (1 - momentum) * runningVar[j] + momentum * (variance * unbiased)
            invstd[j] = 1 / (variance + batchNormEps).squareRoot()
        }
        for r in 0..<rows {
            let row = a + r * n, x = xhat + r * n
            for j in 0..<n {
                let normalised = (row[j] - mean[j]) * invstd[j]
                x[j] = normalised
                row[j] = gamma[j] * normalised
            }
        }
    }

    /// Evaluation mode, in place: a = γ·(a + linear bias − running mean)/√(running var + ε).
    /// - Parameters: `scale` [n] is scratch.
    public static func batchNormEvaluate(_ a: UnsafeMutablePointer<Float>, linearBias: UnsafePointer<Float>,
                                         rows: Int, n: Int, gamma: UnsafePointer<Float>,
                                         runningMean: UnsafePointer<Float>, runningVar: UnsafePointer<Float>,
                                         scale: UnsafeMutablePointer<Float>) {
        for j in 0..<n { scale[j] = gamma[j] / (runningVar[j] + batchNormEps).squareRoot() }
        for r in 0..<rows {
            let row = a + r * n
            for j in 0..<n { row[j] = (row[j] + linearBias[j] - runningMean[j]) * scale[j] }
        }
    }

    /// Training-mode backward, in place over d [rows, n] (dLoss/dy in, dLoss/da out), with
    /// the forward's x̂ and 1/√(σ² + ε):
    ///
    ///     dβ = Σ_rows d,   dγ = Σ_rows d·x̂,   da = (d − dβ/rows − x̂·dγ/rows) · γ/√(σ² + ε)
    ///
    /// (PyTorch's `batch_norm_backward_cpu`, written with x̂.)
    public static func batchNormBackward(_ d: UnsafeMutablePointer<Float>, xhat: UnsafePointer<Float>,
                                         invstd: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
                                         rows: Int, n: Int,
                                         dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>) {
        dGamma.update(repeating: 0, count: n)
        dBeta.update(repeating: 0, count: n)
        for r in 0..<rows {
            let row = d + r * n, x = xhat + r * n
            for j in 0..<n {
                dBeta[j] += row[j]
                dGamma[j] += row[j] * x[j]
            }
        }
        let inverseRows = 1 / Float(rows)
        for r in 0..<rows {
            let row = d + r * n, x = xhat + r * n
            for j in 0..<n {
                row[j] = (row[j] - dBeta[j] * inverseRows - x[j] * (dGamma[j] * inverseRows)) * (gamma[j] * invstd[j])
            }
        }
    }
}
