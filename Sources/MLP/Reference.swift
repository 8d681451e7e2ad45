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
    public static func loss(shape: NetworkShape, parameters: [Double], inputs: [Double], labels: [Int],
                            masks: [[Double]], activation: Activation) -> Double {
        let rows = labels.count
        var x = inputs
        for (l, layer) in shape.layers.enumerated() {
            var y = [Double](repeating: 0, count: rows * layer.outputs)
            for r in 0..<rows {
                for o in 0..<layer.outputs {
                    var sum = parameters[layer.biasOffset + o]
                    for i in 0..<layer.inputs {
                        sum += x[r * layer.inputs + i] * parameters[layer.weightOffset + o * layer.inputs + i]
                    }
                    if l < shape.layers.count - 1 {
                        sum = activate(sum, activation)
                        if !masks.isEmpty { sum *= masks[l][r * layer.outputs + o] }
                    }
                    y[r * layer.outputs + o] = sum
                }
            }
            x = y
        }
        return meanNLL(x, labels: labels, classes: shape.sizes.last!)
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
