#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// The fused element-wise passes of a training step. Each touches its data once; none
/// allocates. `Reference` holds a naive twin of each for the tests.
public enum Kernels {
    /// Copies the selected images into a batch, scaling bytes to [0, 1] as `ToTensor()` does:
    /// Float(v) / 255, sixteen pixels at a time (the same correctly rounded division); then,
    /// unless mean is 0 and std 1, `(x - mean) / std` as `transforms.Normalize` does in Float32.
    /// - Parameters:
    ///   - pixels: [examples, features] bytes.
    ///   - indices: the `rows` examples to take, in order.
    ///   - out: [rows, features].
    @inline(__always)
    public static func gather(pixels: UnsafePointer<UInt8>, labels: UnsafePointer<UInt8>,
                              indices: UnsafePointer<Int>, rows: Int, features: Int,
                              out: UnsafeMutablePointer<Float>, outLabels: UnsafeMutablePointer<Int32>,
                              mean: Float = 0, std: Float = 1) {
        let normalize = mean != 0 || std != 1
        let means = SIMD16<Float>(repeating: mean), stds = SIMD16<Float>(repeating: std)
        for r in 0..<rows {
            let src = pixels + indices[r] * features
            let dst = out + r * features
            var j = 0
            while j + 16 <= features {
                let bytes = UnsafeRawPointer(src + j).loadUnaligned(as: SIMD16<UInt8>.self)
                var scaled = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: bytes)) / 255
                if normalize { scaled = (scaled - means) / stds }
                UnsafeMutableRawPointer(dst + j).storeBytes(of: scaled, as: SIMD16<Float>.self)
                j += 16
            }
            while j < features {
                dst[j] = normalize ? (Float(src[j]) / 255 - mean) / std : Float(src[j]) / 255
                j += 1
            }
            outLabels[r] = Int32(labels[indices[r]])
        }
    }

    /// Copies the float features of the examples at `indices` into `out` [rows, width], each
    /// scaled as (x - shift[j]) / divisor[j] (copied as they are when both are empty), and
    /// their labels (when given: none for regression) into `outLabels`.
    public static func gather(features: UnsafePointer<Float>, labels: UnsafePointer<UInt8>?,
                              indices: UnsafePointer<Int>, rows: Int, width: Int,
                              shift: [Float], divisor: [Float],
                              out: UnsafeMutablePointer<Float>, outLabels: UnsafeMutablePointer<Int32>) {
        let scaled = !shift.isEmpty
        precondition(!scaled || (shift.count == width && divisor.count == width))
        shift.withUnsafeBufferPointer { s in
            divisor.withUnsafeBufferPointer { d in
                for r in 0..<rows {
                    let src = features + indices[r] * width, dst = out + r * width
                    if scaled {
                        for j in 0..<width { dst[j] = (src[j] - s[j]) / d[j] }
                    } else {
                        dst.update(from: src, count: width)
                    }
                    if let labels { outLabels[r] = Int32(labels[indices[r]]) }
                }
            }
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
        case .relu:
            pass(z, bias, rows, n, p, &rng, mask, out, { $0 > 0 ? $0 : 0 }, { $0.replacing(with: 0, where: .!($0 .> 0)) })
        case .sigmoid:
            let f = { (x: Float) -> Float in 1 / (1 + expf(-x)) }
            pass(z, bias, rows, n, p, &rng, mask, out, f, { lanewise($0, f) })
        case .tanh:
            pass(z, bias, rows, n, p, &rng, mask, out, tanhf, { lanewise($0, tanhf) })
        }
    }

    private typealias Lanes = SIMD8<Float>

    @inline(__always)
    private static func lanewise(_ v: Lanes, _ f: (Float) -> Float) -> Lanes {
        var r = v
        for i in 0..<Lanes.scalarCount { r[i] = f(v[i]) }
        return r
    }

    /// The pass for activation `f`, given also lane by lane (`fv`, same results).
    @inline(__always)
    private static func pass(_ z: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, _ rows: Int,
                             _ n: Int, _ p: Float, _ stream: inout RandomStream,
                             _ mask: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             _ f: (Float) -> Float, _ fv: (Lanes) -> Lanes) {
        if p == 0 {
            for r in 0..<rows {
                let row = z + r * n
                for j in 0..<n { row[j] = f(row[j] + bias[j]) }
            }
            return
        }
        // Keep when a 24-bit uniform draw u satisfies u >= p * 2^24. Each 64-bit word gives
        // two draws: bits 40...63 for column j, bits 8...31 for column j + 1. The test is
        // integer arithmetic, with neither a branch (half of them would be mispredicted) nor an
        // int-to-float conversion: (u + 2^24 - threshold) >> 24 is 1 when u >= threshold and 0
        // otherwise (u < 2^24, threshold <= 2^24); negated it is all ones or zero, which selects
        // the bits of 1/(1-p) or of +0.
        let bias24 = 0x100_0000 - UInt32((Double(p) * 16_777_216).rounded())
        let scale = 1 / (1 - p)
        @inline(__always) func keep(_ u: UInt32) -> Float {
            Float(bitPattern: (0 &- ((u &+ bias24) >> 24)) & scale.bitPattern)
        }
        let bias24s = SIMD8<UInt32>(repeating: bias24), scaleBits = SIMD8<UInt32>(repeating: scale.bitPattern)
        // A local copy: the stores through the pointers below cannot alias it, so its state
        // stays in registers.
        var rng = stream
        defer { stream = rng }
        let pairs = n / 2
        for r in 0..<rows {
            let row = z + r * n, m = mask + r * n, o = out + r * n
            // 1. The row's words, in stream order, parked in its mask row (n floats hold n / 2
            //    words): the generator's loop does nothing else.
            let words = UnsafeMutableRawPointer(m)
            for w in 0..<pairs { words.storeBytes(of: rng.next(), toByteOffset: 8 * w, as: UInt64.self) }
            let lastWord = n % 2 == 1 ? rng.next() : 0
            // 2. Eight columns at a time from four words. Seen as eight 32-bit lanes, a word's
            //    low half holds column j + 1's draw (bits 8...31) and its high half column j's
            //    (bits 40...63): swapping the halves puts each where its column is.
            var j = 0
            while j + 8 <= 2 * pairs {
                let four = words.loadUnaligned(fromByteOffset: 4 * j, as: SIMD4<UInt64>.self)
                let draws = unsafeBitCast((four &<< 32) | (four &>> 32), to: SIMD8<UInt32>.self) &>> 8
                let kept = unsafeBitCast((SIMD8<UInt32>.zero &- ((draws &+ bias24s) &>> 24)) & scaleBits,
                                         to: Lanes.self)
                let h = fv(load(row + j) + load(bias + j))
                store(row + j, h)
                store(m + j, kept)
                store(o + j, h * kept)
                j += 8
            }
            // 3. The columns left, a pair (one word) at a time, then an odd last column.
            while j < 2 * pairs {
                let word = words.loadUnaligned(fromByteOffset: 4 * j, as: UInt64.self)
                let h0 = f(row[j] + bias[j]), h1 = f(row[j + 1] + bias[j + 1])
                let m0 = keep(UInt32(word >> 40)), m1 = keep(UInt32((word >> 8) & 0xFF_FFFF))
                row[j] = h0; row[j + 1] = h1
                m[j] = m0; m[j + 1] = m1
                o[j] = h0 * m0; o[j + 1] = h1 * m1
                j += 2
            }
            if n % 2 == 1 {
                let h0 = f(row[j] + bias[j]), m0 = keep(UInt32(lastWord >> 40))
                row[j] = h0; m[j] = m0; o[j] = h0 * m0
            }
        }
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    private static func store(_ p: UnsafeMutablePointer<Float>, _ v: Lanes) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
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

    /// out [columns, rows] = mᵀ for m [rows, columns], both row-major, in 8 x 8 blocks (a
    /// block's reads and writes each touch 8 cache lines). Copies bits; no arithmetic.
    public static func transpose(_ m: UnsafePointer<Float>, rows: Int, columns: Int,
                                 into out: UnsafeMutablePointer<Float>) {
        inBlocks(rows: rows, columns: columns) { r, c in out[c * rows + r] = m[r * columns + c] }
    }

    /// Calls `body(r, c)` for every element of a [rows, columns] array, in 8 x 8 blocks: the walk
    /// of the passes that read one layout and write the other.
    @inline(__always)
    private static func inBlocks(rows: Int, columns: Int, _ body: (_ r: Int, _ c: Int) -> Void) {
        var r0 = 0
        while r0 < rows {
            let r1 = min(r0 + 8, rows)
            var c0 = 0
            while c0 < columns {
                let c1 = min(c0 + 8, columns)
                for r in r0..<r1 {
                    for c in c0..<c1 { body(r, c) }
                }
                c0 = c1
            }
            r0 = r1
        }
    }

    /// `activationDropoutBackward` reading its dA transposed, the input-gradient product's layout:
    /// dZ[r, c] = dAᵀ[c, r] * mask[r, c] * f'(h[r, c]), into `delta` [rows, n], and when given also
    /// into `deltaColumns` [n, rows] (dZᵀ, what the next input-gradient product reads). One pass in
    /// 8 x 8 blocks instead of a transpose and an element-wise pass (and a transpose back); the
    /// same operations in the same order, so the same bits.
    /// - Parameters:
    ///   - columns: dAᵀ [n, rows].
    ///   - h, mask: [rows, n]; `mask: nil` when there was no dropout.
    public static func transposedActivationDropoutBackward(
        _ columns: UnsafePointer<Float>, rows: Int, n: Int, h: UnsafePointer<Float>, mask: UnsafePointer<Float>?,
        activation: Activation, into delta: UnsafeMutablePointer<Float>, deltaColumns: UnsafeMutablePointer<Float>?
    ) {
        // One loop per activation, each with its derivative fixed (`Activation.derivative`).
        switch activation {
        case .relu: transposedBackward(columns, rows, n, h, mask, delta, deltaColumns) { Activation.relu.derivative(output: $0) }
        case .sigmoid: transposedBackward(columns, rows, n, h, mask, delta, deltaColumns) { Activation.sigmoid.derivative(output: $0) }
        case .tanh: transposedBackward(columns, rows, n, h, mask, delta, deltaColumns) { Activation.tanh.derivative(output: $0) }
        }
    }

    @inline(__always)
    private static func transposedBackward(_ columns: UnsafePointer<Float>, _ rows: Int, _ n: Int, _ h: UnsafePointer<Float>,
                                           _ mask: UnsafePointer<Float>?, _ delta: UnsafeMutablePointer<Float>,
                                           _ deltaColumns: UnsafeMutablePointer<Float>?,
                                           _ derivative: (Float) -> Float) {
        inBlocks(rows: rows, columns: n) { r, c in
            let dA = columns[c * rows + r], i = r * n + c
            let d = mask.map { dA * $0[i] * derivative(h[i]) } ?? dA * derivative(h[i])
            delta[i] = d
            deltaColumns?[c * rows + r] = d
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

    /// Squared error of linear outputs against targets, both [rows, width]: PyTorch's
    /// `MSELoss` (mean over rows and outputs) when `scale` is 1 / rows.
    /// - Parameters:
    ///   - delta: when given, receives dLoss/doutputs for the loss `scale * sum of row losses`,
    ///     2 (o - t) / width * scale; may alias nothing else.
    /// - Returns: the sum of the rows' losses, each the mean of its squared errors (Double).
    public static func squaredError(outputs: UnsafePointer<Float>, targets: UnsafePointer<Float>, rows: Int,
                                    width: Int, delta: UnsafeMutablePointer<Float>?, scale: Float) -> Double {
        var lossSum = 0.0
        let factor = 2 * scale / Float(width)
        for r in 0..<rows {
            var row = 0.0
            for j in 0..<width {
                let e = outputs[r * width + j] - targets[r * width + j]
                row += Double(e) * Double(e)
                delta?[r * width + j] = e * factor
            }
            lossSum += row / Double(width)
        }
        return lossSum
    }

    /// Copies the targets of the examples at `indices` into `out` [rows, width].
    public static func gather(targets: UnsafePointer<Float>, indices: UnsafePointer<Int>, rows: Int, width: Int,
                              out: UnsafeMutablePointer<Float>) {
        for r in 0..<rows { (out + r * width).update(from: targets + indices[r] * width, count: width) }
    }

    /// Inverted dropout on the inputs, out = x · mask for x [rows, n], the mask drawn as the
    /// hidden layers' is (two 24-bit draws a word, keep when the draw ≥ p·2^24, scale 1/(1 − p):
    /// `Reference.dropoutMasks`). Per example, not per unit of a wide layer: plain loops.
    public static func dropInputs(_ x: UnsafePointer<Float>, rows: Int, n: Int, p: Float, rng: inout RandomStream,
                                  out: UnsafeMutablePointer<Float>) {
        let threshold = UInt64((Double(p) * 16_777_216).rounded()), scale = 1 / (1 - p)
        var word: UInt64 = 0
        for r in 0..<rows {
            for j in 0..<n {
                if j % 2 == 0 { word = rng.next() }
                let draw = j % 2 == 0 ? word >> 40 : (word >> 8) & 0xFF_FFFF
                out[r * n + j] = draw >= threshold ? x[r * n + j] * scale : 0
            }
        }
    }

    /// The max-norm constraint on a dense layer's weights kept as Wᵀ [inputs, outputs]: each
    /// output unit's incoming weights (a column) whose L2 norm exceeds `limit` are scaled by
    /// limit / (norm + 1e-7), as PyTorch's `torch.renorm(W, 2, 0, limit)` does (norms summed in
    /// Double, by rows, into `norms` [outputs]).
    public static func limitColumnNorms(_ w: UnsafeMutablePointer<Float>, inputs: Int, outputs: Int, limit: Float,
                                        norms: UnsafeMutablePointer<Double>) {
        norms.update(repeating: 0, count: outputs)
        for i in 0..<inputs {
            let row = w + i * outputs
            for j in 0..<outputs { norms[j] += Double(row[j]) * Double(row[j]) }
        }
        var any = false
        for j in 0..<outputs {
            let norm = norms[j].squareRoot()
            // The factor for each column, parked in `norms` (1 where the column is within the limit).
            norms[j] = norm > Double(limit) ? Double(Float(Double(limit) / (norm + 1e-7))) : 1
            any = any || norms[j] != 1
        }
        guard any else { return }
        for i in 0..<inputs {
            let row = w + i * outputs
            for j in 0..<outputs where norms[j] != 1 { row[j] *= Float(norms[j]) }
        }
    }

    /// out[j] = sum over rows of m[r, j], for m [rows, n]: a bias gradient.
    public static func columnSums(_ m: UnsafePointer<Float>, rows: Int, n: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(repeating: 0, count: n)
        for r in 0..<rows {
            let row = m + r * n
            for j in 0..<n { out[j] += row[j] }
        }
    }

    /// The BLAS path's weight step of one layer (the own kernels' `weightStep` takes the same
    /// arguments, and gives the same bits at the engine's shapes with BLIS): v = momentum * v + delta^T x through the BLAS GEMM (beta =
    /// momentum, C = v), in row blocks of about 32K floats (128 KB) of W, each followed at once
    /// by p -= lr * v while the block is in cache.
    /// - Parameters:
    ///   - delta: [rows, outputs]; x: [rows, inputs]; parameters, velocity: [outputs, inputs].
    public static func weightStepBLAS(delta: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int,
                                      outputs: Int, inputs: Int, parameters: UnsafeMutablePointer<Float>,
                                      velocity: UnsafeMutablePointer<Float>, lr: Float, momentum: Float) {
        let block = max(1, 32_768 / inputs)
        var r0 = 0
        while r0 < outputs {
            let n = min(block, outputs - r0)
            let offset = r0 * inputs
            // v[r0..<r0+n, :] = momentum * v + delta[:, r0..<r0+n]^T x
            BLAS.sgemm(transA: true, transB: false, m: n, n: inputs, k: rows, alpha: 1,
                       a: delta + r0, lda: outputs, b: x, ldb: inputs,
                       beta: momentum, c: velocity + offset, ldc: inputs)
            descend(parameters: parameters + offset, velocity: velocity + offset, count: n * inputs, lr: lr)
            r0 += n
        }
    }

    /// p -= lr * v: the second half of an SGD-with-momentum step whose velocity was already
    /// updated (by the weight-gradient GEMM).
    @inline(__always)
    public static func descend(parameters p: UnsafeMutablePointer<Float>, velocity v: UnsafePointer<Float>,
                               count: Int, lr: Float) {
        for i in 0..<count { p[i] -= lr * v[i] }
    }

    /// PyTorch 1.13's SGD step in full (`torch/optim/sgd.py`, `_single_tensor_sgd`, dampening 0):
    /// d = g + weight_decay·p; buf = momentum·buf + d (buf starts at zero, so the first step
    /// is buf = d, as PyTorch's clone); d = nesterov ? d + momentum·buf : buf; p −= lr·d.
    /// The plain case (no decay, no Nesterov) takes the fused paths instead.
    public static func sgd(parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                           velocity v: UnsafeMutablePointer<Float>, count: Int, lr: Float, momentum: Float,
                           weightDecay: Float, nesterov: Bool) {
        for i in 0..<count {
            let d = weightDecay == 0 ? g[i] : g[i] + weightDecay * p[i]
            let buffer = momentum * v[i] + d
            v[i] = buffer
            p[i] -= lr * (nesterov ? d + momentum * buffer : buffer)
        }
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
