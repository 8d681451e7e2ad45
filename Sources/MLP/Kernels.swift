#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fused element-wise passes of a training step. Each touches its data once; none
/// allocates. `Reference` holds a naive twin of each for the tests.
public enum Kernels {
    /// Copies the selected images into a batch, scaling bytes to [0, 1] through `table`
    /// (`table[v] = Float(v) / 255`, exactly what `ToTensor()` computes).
    /// - Parameters:
    ///   - pixels: [examples, features] bytes.
    ///   - indices: the `rows` examples to take, in order.
    ///   - out: [rows, features].
    @inline(__always)
    public static func gather(pixels: UnsafePointer<UInt8>, labels: UnsafePointer<UInt8>,
                              indices: UnsafePointer<Int>, rows: Int, features: Int,
                              table: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                              outLabels: UnsafeMutablePointer<Int32>) {
        for r in 0..<rows {
            let src = pixels + indices[r] * features
            let dst = out + r * features
            for j in 0..<features { dst[j] = table[Int(src[j])] }
            outLabels[r] = Int32(labels[indices[r]])
        }
    }

    /// In place over z [rows, n]: h = f(z + bias). With dropout p > 0 also draws the mask
    /// (1/(1-p) with probability 1-p, else 0) into `mask` and writes h * mask into `out`.
    /// - Parameters:
    ///   - z: [rows, n] pre-activations in, activations h out.
    ///   - bias: [n].
    ///   - mask, out: [rows, n]; untouched when `p == 0`.
    public static func biasActivateDropout(z: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>,
                                           rows: Int, n: Int, activation: Activation, p: Float,
                                           rng: inout RandomStream,
                                           mask: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        switch activation {
        case .relu: pass(z, bias, rows, n, p, &rng, mask, out) { $0 > 0 ? $0 : 0 }
        case .sigmoid: pass(z, bias, rows, n, p, &rng, mask, out) { 1 / (1 + expf(-$0)) }
        case .tanh: pass(z, bias, rows, n, p, &rng, mask, out) { tanhf($0) }
        }
    }

    @inline(__always)
    private static func pass(_ z: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, _ rows: Int,
                             _ n: Int, _ p: Float, _ stream: inout RandomStream,
                             _ mask: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             _ f: (Float) -> Float) {
        if p == 0 {
            for r in 0..<rows {
                let row = z + r * n
                for j in 0..<n { row[j] = f(row[j] + bias[j]) }
            }
            return
        }
        // Keep when a 24-bit uniform draw u satisfies u >= p * 2^24. Each 64-bit word gives
        // two draws: bits 40...63 for column j, bits 8...31 for column j + 1. The test is
        // arithmetic, not a branch: (u + 2^24 - threshold) >> 24 is 1 when u >= threshold and
        // 0 otherwise (u < 2^24, threshold <= 2^24), and half of all such branches would be
        // mispredicted.
        let bias24 = 0x100_0000 - UInt64((Double(p) * 16_777_216).rounded())
        let scale = 1 / (1 - p)
        @inline(__always) func keep(_ u: UInt64) -> Float { Float((u &+ bias24) >> 24) * scale }
        // A local copy: the stores through the pointers below cannot alias it, so its state
        // stays in registers.
        var rng = stream
        defer { stream = rng }
        for r in 0..<rows {
            let row = z + r * n, m = mask + r * n, o = out + r * n
            var j = 0
            while j + 1 < n {
                let word = rng.next()
                let h0 = f(row[j] + bias[j]), h1 = f(row[j + 1] + bias[j + 1])
                let m0 = keep(word >> 40), m1 = keep((word >> 8) & 0xFF_FFFF)
                row[j] = h0; row[j + 1] = h1
                m[j] = m0; m[j + 1] = m1
                o[j] = h0 * m0; o[j + 1] = h1 * m1
                j += 2
            }
            if j < n {
                let word = rng.next()
                let h0 = f(row[j] + bias[j]), m0 = keep(word >> 40)
                row[j] = h0; m[j] = m0; o[j] = h0 * m0
            }
        }
    }

    /// In place over dA [count]: the gradient through dropout and the activation,
    /// dZ = dA * mask * f'(h). Pass `mask: nil` when there was no dropout.
    public static func activationDropoutBackward(_ dA: UnsafeMutablePointer<Float>, h: UnsafePointer<Float>,
                                                 mask: UnsafePointer<Float>?, count: Int, activation: Activation) {
        switch activation {
        case .relu:
            // f'(h) is 0 or 1; written as a multiply so the loop vectorises.
            if let mask {
                for i in 0..<count { dA[i] = dA[i] * mask[i] * (h[i] > 0 ? 1 : 0) }
            } else {
                for i in 0..<count { dA[i] = dA[i] * (h[i] > 0 ? 1 : 0) }
            }
        case .sigmoid:
            if let mask {
                for i in 0..<count { dA[i] = dA[i] * mask[i] * (h[i] * (1 - h[i])) }
            } else {
                for i in 0..<count { dA[i] = dA[i] * (h[i] * (1 - h[i])) }
            }
        case .tanh:
            if let mask {
                for i in 0..<count { dA[i] = dA[i] * mask[i] * (1 - h[i] * h[i]) }
            } else {
                for i in 0..<count { dA[i] = dA[i] * (1 - h[i] * h[i]) }
            }
        }
    }

    /// Adds `bias` [n] to every row of z [rows, n].
    public static func addBias(_ z: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, n: Int) {
        for r in 0..<rows {
            let row = z + r * n
            for j in 0..<n { row[j] += bias[j] }
        }
    }

    /// Log-softmax and negative log-likelihood of each row of logits [rows, classes].
    /// - Parameters:
    ///   - delta: when given, receives dLoss/dlogits for the loss `scale * sum of row losses`
    ///     (softmax - onehot) * scale; may alias nothing else.
    /// - Returns: the sum of the rows' losses (Double) and how many rows' argmax is the label
    ///   (the first maximum wins ties).
    public static func softmaxCrossEntropy(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                                           rows: Int, classes: Int, delta: UnsafeMutablePointer<Float>?,
                                           scale: Float) -> (lossSum: Double, correct: Int) {
        var lossSum = 0.0
        var correct = 0
        for r in 0..<rows {
            let z = logits + r * classes
            let y = Int(labels[r])
            var best = 0
            var maximum = z[0]
            for j in 1..<classes where z[j] > maximum { maximum = z[j]; best = j }
            if best == y { correct += 1 }
            var sum: Float = 0
            for j in 0..<classes { sum += expf(z[j] - maximum) }
            let logSum = logf(sum)
            lossSum += Double(logSum - (z[y] - maximum))
            if let delta {
                let d = delta + r * classes
                let inverse = 1 / sum
                for j in 0..<classes { d[j] = expf(z[j] - maximum) * inverse * scale }
                d[y] -= scale
            }
        }
        return (lossSum, correct)
    }

    /// out[j] = sum over rows of m[r, j], for m [rows, n]: a bias gradient.
    public static func columnSums(_ m: UnsafePointer<Float>, rows: Int, n: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: n)
        for r in 0..<rows {
            let row = m + r * n
            for j in 0..<n { out[j] += row[j] }
        }
    }

    /// p -= lr * v: the second half of an SGD-with-momentum step whose velocity was already
    /// updated (by the weight-gradient GEMM).
    @inline(__always)
    public static func descend(parameters p: UnsafeMutablePointer<Float>, velocity v: UnsafePointer<Float>,
                               count: Int, lr: Float) {
        for i in 0..<count { p[i] -= lr * v[i] }
    }

    /// PyTorch's SGD with momentum (no dampening, no Nesterov, no weight decay), one pass:
    /// v = momentum * v + g; p -= lr * v. With v starting at zero the first step is v = g.
    public static func sgdMomentum(parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                                   velocity v: UnsafeMutablePointer<Float>, count: Int, lr: Float, momentum: Float) {
        for i in 0..<count {
            let velocity = momentum * v[i] + g[i]
            v[i] = velocity
            p[i] -= lr * velocity
        }
    }
}
