/// The weight half of a training step for one layer, fused: the weight gradient, PyTorch's SGD
/// momentum and the descent in one pass over W. (Compiled in MLPAVX512 and MLPAVX2, as
/// GEMM.swift; `MLP` calls each only where the CPU has its instructions.)
///
///     v = momentum * v + delta^T x        (never materialising delta^T x)
///     p -= lr * v
///
/// - Parameters:
///   - delta: [rows, outputs] dLoss/dz of the layer, row-major.
///   - x: [rows, inputs] the layer's input, row-major.
///   - parameters, velocity: the layer's W and its velocity, [outputs, inputs] row-major.
///
/// Each v[i, j] sums its `rows` products in row order with fused multiply-adds from zero, then
/// takes v = fma(v, momentum, sum) and p = p - lr * v: the arithmetic BLIS's kernels do for
/// `C = delta^T x + momentum * C` followed by the engine's separate descent, so both paths give
/// the same bits on the shapes the engine trains. It is `gemm` with A = deltaᵀ read in place and
/// this step as its epilogue, walked strip by strip of W's rows, left to right, so v and p
/// stream through once, in order. (Its naive twin: `Reference.weightGradient`, then
/// `Reference.momentumStep`.)
public func weightStep(delta: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int,
                       outputs: Int, inputs: Int, parameters: UnsafeMutablePointer<Float>,
                       velocity: UnsafeMutablePointer<Float>, lr: Float, momentum: Float) {
    gemm(m: outputs, n: inputs, k: rows, a: delta, aRow: 1, aDepth: outputs, b: x, ldb: inputs, order: .rows,
         Momentum(p: parameters, v: velocity, ld: inputs, lr: lr, momentum: momentum))
}

/// The weight gradient alone, g [outputs, inputs] = deltaᵀ x, for steps that need it whole (SGD
/// with decay or Nesterov, gradient checks): the same tiles and sums as above, stored.
public func weightGradient(delta: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int, outputs: Int,
                           inputs: Int, gradient: UnsafeMutablePointer<Float>) {
    gemm(m: outputs, n: inputs, k: rows, a: delta, aRow: 1, aDepth: outputs, b: x, ldb: inputs, order: .rows,
         StoreC(c: gradient, ldc: inputs))
}

/// The same pass for Adam and AdamW: the weight gradient tile by tile in registers, each
/// element then taking `Kernels.adam`'s step (MLP) with the same operations in the same order,
/// so the two give the same bits (the gradient sums as BLIS's GEMM rounds them, as above).
/// - Parameters:
///   - firstMoment, secondMoment: exp_avg and exp_avg_sq of W, [outputs, inputs].
///   - constants: the step's numbers (`Optimizer.Adam.scalars`).
public func adamWeightStep(delta: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int,
                           outputs: Int, inputs: Int, parameters: UnsafeMutablePointer<Float>,
                           firstMoment: UnsafeMutablePointer<Float>, secondMoment: UnsafeMutablePointer<Float>,
                           constants: AdamConstants) {
    gemm(m: outputs, n: inputs, k: rows, a: delta, aRow: 1, aDepth: outputs, b: x, ldb: inputs, order: .rows,
         AdamUpdate(p: parameters, m: firstMoment, v: secondMoment, ld: inputs, c: constants))
}

/// One Adam step's numbers in Float32, as `Kernels.AdamScalars` in MLP (which this module
/// cannot see).
public struct AdamConstants: Sendable {
    public var beta1, oneMinusBeta1, beta2, oneMinusBeta2, correction2Root, eps, negativeStepSize: Float
    public var coupledDecay, decoupledFactor: Float

    public init(beta1: Float, oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float, correction2Root: Float,
                eps: Float, negativeStepSize: Float, coupledDecay: Float, decoupledFactor: Float) {
        self.beta1 = beta1; self.oneMinusBeta1 = oneMinusBeta1
        self.beta2 = beta2; self.oneMinusBeta2 = oneMinusBeta2
        self.correction2Root = correction2Root; self.eps = eps; self.negativeStepSize = negativeStepSize
        self.coupledDecay = coupledDecay; self.decoupledFactor = decoupledFactor
    }
}

/// PyTorch's SGD momentum: v = fma(v, momentum, sum); p = p - lr * v.
private struct Momentum: GEMMEpilogue {
    let p: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, ld: Int
    let lr: Float, momentum: Float

    @inline(__always) func prefetch(rows: Range<Int>, columns: Range<Int>) {
        prefetchForWriting(v, ld: ld, rows: rows, columns: columns)
        prefetchForWriting(p, ld: ld, rows: rows, columns: columns)
    }

    @inline(__always) func finish(row i: Int, column j: Int, _ sum: Vector, _ mask: LaneMask?) {
        let offset = i * ld + j
        let velocity = sum.addingProduct(load(v + offset, mask), Vector(repeating: momentum))
        store(v + offset, velocity, mask)
        store(p + offset, load(p + offset, mask) - Vector(repeating: lr) * velocity, mask)
    }
}

/// Adam / AdamW, element by element as `Kernels.adam` (see there for PyTorch's formulas).
private struct AdamUpdate: GEMMEpilogue {
    let p: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, ld: Int
    let c: AdamConstants

    @inline(__always) func prefetch(rows: Range<Int>, columns: Range<Int>) {
        prefetchForWriting(m, ld: ld, rows: rows, columns: columns)
        prefetchForWriting(v, ld: ld, rows: rows, columns: columns)
        prefetchForWriting(p, ld: ld, rows: rows, columns: columns)
    }

    @inline(__always) func finish(row i: Int, column j: Int, _ g: Vector, _ mask: LaneMask?) {
        let offset = i * ld + j
        let weight = load(p + offset, mask) * Vector(repeating: c.decoupledFactor)
        let gradient = c.coupledDecay == 0 ? g : g + Vector(repeating: c.coupledDecay) * weight
        let mean = load(m + offset, mask) * Vector(repeating: c.beta1) + Vector(repeating: c.oneMinusBeta1) * gradient
        let square = load(v + offset, mask) * Vector(repeating: c.beta2)
            + Vector(repeating: c.oneMinusBeta2) * gradient * gradient
        store(m + offset, mean, mask)
        store(v + offset, square, mask)
        // Correctly rounded, as the scalar square root, so the bits are the portable kernel's.
        let root = squareRoot(square)
        let denominator = root / Vector(repeating: c.correction2Root) + Vector(repeating: c.eps)
        store(p + offset, weight + Vector(repeating: c.negativeStepSize) * mean / denominator, mask)
    }
}
