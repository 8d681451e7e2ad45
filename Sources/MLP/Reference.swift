#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// Naive twins of the engine's kernels, in Double and plain loops: slow, obviously right,
/// and used by the tests as the reference the fast paths must match.
public enum Reference {
    /// C = op(A) op(B) with op(A) [m, k] and op(B) [k, n], all row-major as stored.
    public static func matmul(_ a: [Float], _ b: [Float], transA: Bool, transB: Bool,
                              m: Int, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transA ? a[p * m + i] : a[i * k + p]
                    let y = transB ? b[j * k + p] : b[p * n + j]
                    sum += Double(x) * Double(y)
                }
                c[i * n + j] = Float(sum)
            }
        }
        return c
    }

    /// C = A B in Float32 as the engine's own kernels round it (`MLPAVX512.matrixProduct`): each element the
    /// sum of its k products in order, with fused multiply-adds from zero. The kernels must give
    /// these bits exactly. A [m, k], B [k, n], C [m, n], row-major with row strides lda, ldb, ldc.
    public static func gemm(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
                            ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k { sum.addProduct(a[i * lda + p], b[p * ldb + j]) }
                c[i * ldc + j] = sum
            }
        }
    }

    /// g [outputs, inputs] = deltaᵀ x, as the own kernels' `weightGradient` rounds it: each element the sum
    /// of its `rows` products in row order with fused multiply-adds from zero.
    /// - Parameters: delta [rows, outputs], x [rows, inputs], row-major.
    public static func weightGradient(delta: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, outputs: Int,
                                      inputs: Int, into g: UnsafeMutablePointer<Float>) {
        for i in 0..<outputs {
            for j in 0..<inputs {
                var sum: Float = 0
                for r in 0..<rows { sum.addProduct(delta[r * outputs + i], x[r * inputs + j]) }
                g[i * inputs + j] = sum
            }
        }
    }

    /// The fused weight step's epilogue element by element (the own kernels' `weightStep`): v = fma(v,
    /// momentum, g) (one rounding, as BLAS's `C = AB + beta C` kernels do), then p = p - lr v.
    public static func momentumStep(parameters p: UnsafeMutablePointer<Float>, velocity v: UnsafeMutablePointer<Float>,
                                    gradients g: UnsafePointer<Float>, count: Int, lr: Float, momentum: Float) {
        for i in 0..<count {
            v[i] = g[i].addingProduct(v[i], momentum)
            p[i] = p[i] - lr * v[i]
        }
    }

    /// f(z) in Double.
    public static func activate(_ z: Double, _ f: Activation) -> Double {
        switch f {
        case .sigmoid: 1 / (1 + exp(-z))
        case .relu: max(0, z)
        case .tanh: tanh(z)
        }
    }

    /// Mean negative log-likelihood of log-softmax over the rows of logits [rows, classes].
    public static func meanNLL(_ logits: [Double], labels: [Int], classes: Int) -> Double {
        let rows = labels.count
        var total = 0.0
        for r in 0..<rows {
            let z = Array(logits[(r * classes)..<((r + 1) * classes)])
            let m = z.max()!
            let logSum = m + log(z.reduce(0) { $0 + exp($1 - m) })
            total += logSum - z[labels[r]]
        }
        return total / Double(rows)
    }

    /// The whole network's mean loss on one batch, computed layer by layer in Double.
    /// - Parameters:
    ///   - parameters: in `shape`'s flat layout.
    ///   - inputs: [rows, sizes[0]].
    ///   - masks: per hidden layer [rows, out] multipliers (0 or 1/(1-p)); empty for no dropout.
    ///   - running: with batch norm, per hidden layer its (running mean, running variance) to
    ///     evaluate with; nil normalises with the batch's statistics, as training does.
    public static func loss(shape: NetworkShape, parameters: [Double], inputs: [Double], labels: [Int],
                            masks: [[Double]], activation: Activation,
                            running: [(mean: [Double], variance: [Double])]? = nil) -> Double {
        meanNLL(logits(shape: shape, parameters: parameters, inputs: inputs, rows: labels.count, masks: masks,
                       activation: activation, running: running),
                labels: labels, classes: shape.sizes.last!)
    }

    /// A regression network's mean squared error on one batch (PyTorch's `MSELoss`: the mean
    /// over rows and outputs), layer by layer in Double; `targets` [rows, outputs].
    public static func squaredErrorLoss(shape: NetworkShape, parameters: [Double], inputs: [Double], targets: [Double],
                                        masks: [[Double]], activation: Activation) -> Double {
        let outputs = logits(shape: shape, parameters: parameters, inputs: inputs, rows: targets.count / shape.sizes.last!,
                             masks: masks, activation: activation)
        return zip(outputs, targets).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(targets.count)
    }

    /// The network's logits [rows, classes], layer by layer in Double: Linear, then for hidden
    /// layers BatchNorm1d (with `shape.batchNorm`: the batch's biased variance, or the running
    /// estimates when given), the activation and the dropout mask.
    public static func logits(shape: NetworkShape, parameters: [Double], inputs: [Double], rows: Int,
                              masks: [[Double]], activation: Activation,
                              running: [(mean: [Double], variance: [Double])]? = nil) -> [Double] {
        var x = inputs
        for (l, layer) in shape.layers.enumerated() {
            var y = [Double](repeating: 0, count: rows * layer.outputs)
            for r in 0..<rows {
                for o in 0..<layer.outputs {
                    var sum = parameters[layer.biasOffset + o]
                    for i in 0..<layer.inputs {
                        sum += x[r * layer.inputs + i] * parameters[layer.weightOffset + o * layer.inputs + i]
                    }
                    y[r * layer.outputs + o] = sum
                }
            }
            if l < shape.layers.count - 1 {
                if shape.batchNorm {
                    let norm = shape.norms[l]
                    for o in 0..<layer.outputs {
                        let column = (0..<rows).map { y[$0 * layer.outputs + o] }
                        let mean = running?[l].mean[o] ?? column.reduce(0, +) / Double(rows)
                        let variance = running?[l].variance[o]
                            ?? column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(rows)
                        for r in 0..<rows {
                            let normalised = (y[r * layer.outputs + o] - mean) / (variance + 1e-5).squareRoot()
                            y[r * layer.outputs + o] = parameters[norm.gammaOffset + o] * normalised
                                + parameters[norm.betaOffset + o]
                        }
                    }
                }
                for k in y.indices {
                    y[k] = activate(y[k], activation)
                    if !masks.isEmpty { y[k] *= masks[l][k] }
                }
            }
            x = y
        }
        return x
    }

    /// One step of PyTorch 1.13's Adam (`decoupled: false`) or AdamW (`decoupled: true`), in
    /// place, written as torch/optim/adam.py and adamw.py do it, in Double. `step` counts from 1.
    public static func adam(parameters: inout [Float], gradients: [Float], exp_avg: inout [Float],
                            exp_avg_sq: inout [Float], step: Int, lr: Double, beta1: Double, beta2: Double,
                            eps: Double, weightDecay: Double, decoupled: Bool) {
        let biasCorrection1 = 1 - pow(beta1, Double(step))
        let biasCorrection2 = 1 - pow(beta2, Double(step))
        let stepSize = lr / biasCorrection1
        for i in parameters.indices {
            var param = Double(parameters[i])
            var grad = Double(gradients[i])
            if decoupled { param *= 1 - lr * weightDecay } else { grad += weightDecay * param }
            let m = beta1 * Double(exp_avg[i]) + (1 - beta1) * grad
            let v = beta2 * Double(exp_avg_sq[i]) + (1 - beta2) * grad * grad
            exp_avg[i] = Float(m)
            exp_avg_sq[i] = Float(v)
            let denom = v.squareRoot() / biasCorrection2.squareRoot() + eps
            parameters[i] = Float(param - stepSize * m / denom)
        }
    }

    /// The dropout masks [rows, n] the engine draws from `rng`, by its documented rule, with a
    /// plain comparison: each row takes ceil(n / 2) words; column j uses bits 40...63 of its word
    /// when j is even and bits 8...31 when odd, and is kept (1/(1-p)) when that 24-bit draw is
    /// at least p * 2^24 rounded, else dropped (0).
    public static func dropoutMasks(rows: Int, n: Int, p: Float, rng: inout RandomStream) -> [Float] {
        let threshold = UInt64((Double(p) * 16_777_216).rounded())
        var masks: [Float] = []
        for _ in 0..<rows {
            var word: UInt64 = 0
            for j in 0..<n {
                if j % 2 == 0 { word = rng.next() }
                let draw = j % 2 == 0 ? word >> 40 : (word >> 8) & 0xFF_FFFF
                masks.append(draw >= threshold ? 1 / (1 - p) : 0)
            }
        }
        return masks
    }

    /// One step of PyTorch 1.13's SGD in full (weight decay, Nesterov; dampening 0), in place,
    /// written as torch/optim/sgd.py does it, in Double.
    public static func sgd(parameters: inout [Float], gradients: [Float], velocity: inout [Float],
                           lr: Double, momentum: Double, weightDecay: Double, nesterov: Bool) {
        for i in parameters.indices {
            var d = Double(gradients[i]) + weightDecay * Double(parameters[i])
            let buffer = momentum * Double(velocity[i]) + d
            velocity[i] = Float(buffer)
            if nesterov { d += momentum * buffer } else { d = buffer }
            parameters[i] = Float(Double(parameters[i]) - lr * d)
        }
    }

    /// One SGD-with-momentum step, PyTorch's rule, in place.
    public static func sgdMomentum(parameters: inout [Float], gradients: [Float], velocity: inout [Float],
                                   lr: Float, momentum: Float) {
        for i in parameters.indices {
            velocity[i] = momentum * velocity[i] + gradients[i]
            parameters[i] -= lr * velocity[i]
        }
    }
}
