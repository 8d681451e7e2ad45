#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// The weight half of a training step for one layer, fused: the weight gradient, PyTorch's SGD
/// momentum and the descent in one pass over W, for CPUs with AVX-512 (this module is compiled
/// for them; `MLP` calls it only where the CPU has AVX-512).
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
/// the same bits. Tiles of 6 rows x 32 columns of W keep their 12 vector sums in registers: for
/// each example, 32 inputs of x are loaded once and multiplied by the 6 broadcast values of
/// delta; the 6 rows of v and p stream through once. (Its naive twin, in the tests: the
/// reference matmul followed by `Reference.sgdMomentum`.)
public func weightStepAVX512(delta: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int,
                             outputs: Int, inputs: Int, parameters: UnsafeMutablePointer<Float>,
                             velocity: UnsafeMutablePointer<Float>, lr: Float, momentum: Float) {
    walk(delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs,
         Momentum(p: parameters, v: velocity, lr: lr, momentum: momentum))
}

/// The same pass for Adam and AdamW: the weight gradient tile by tile in registers, each
/// element then taking `Kernels.adam`'s step (MLP) with the same operations in the same order,
/// so the two give the same bits (the gradient sums as BLIS's GEMM rounds them, as above).
/// - Parameters:
///   - firstMoment, secondMoment: exp_avg and exp_avg_sq of W, [outputs, inputs].
///   - constants: the step's numbers (`Optimizer.Adam.scalars`).
public func adamWeightStepAVX512(delta: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int,
                                 outputs: Int, inputs: Int, parameters: UnsafeMutablePointer<Float>,
                                 firstMoment: UnsafeMutablePointer<Float>, secondMoment: UnsafeMutablePointer<Float>,
                                 constants: AdamConstants) {
    walk(delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs,
         AdamUpdate(p: parameters, m: firstMoment, v: secondMoment, c: constants))
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

/// What happens to a finished gradient sum: W's row-major offset and the sum, 16 lanes or one.
private protocol Epilogue {
    func finish(_ offset: Int, _ sum: Vector)
    func finish(_ offset: Int, _ sum: Float)
}

/// PyTorch's SGD momentum: v = fma(v, momentum, sum); p = p - lr * v.
private struct Momentum: Epilogue {
    let p: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    let lr: Float, momentum: Float

    @inline(__always) func finish(_ offset: Int, _ sum: Vector) {
        let velocity = sum.addingProduct(load(v + offset), Vector(repeating: momentum))
        store(v + offset, velocity)
        store(p + offset, load(p + offset) - Vector(repeating: lr) * velocity)
    }

    @inline(__always) func finish(_ o: Int, _ sum: Float) {
        let velocity = sum.addingProduct(v[o], momentum)
        v[o] = velocity
        p[o] = p[o] - lr * velocity
    }
}

/// Adam / AdamW, element by element as `Kernels.adam` (see there for PyTorch's formulas).
private struct AdamUpdate: Epilogue {
    let p: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    let c: AdamConstants

    @inline(__always) func finish(_ offset: Int, _ g: Vector) {
        let weight = load(p + offset) * Vector(repeating: c.decoupledFactor)
        let gradient = c.coupledDecay == 0 ? g : g + Vector(repeating: c.coupledDecay) * weight
        let mean = load(m + offset) * Vector(repeating: c.beta1) + Vector(repeating: c.oneMinusBeta1) * gradient
        let square = load(v + offset) * Vector(repeating: c.beta2) + Vector(repeating: c.oneMinusBeta2) * gradient * gradient
        store(m + offset, mean)
        store(v + offset, square)
        // vsqrtps (SIMD16's squareRoot() goes lane by lane through sqrtf); correctly rounded,
        // as the scalar square root, so the bits are the portable kernel's.
        #if arch(x86_64)
        let root = _mm512_sqrt_ps(square)
        #else
        let root = square.squareRoot()
        #endif
        let denominator = root / Vector(repeating: c.correction2Root) + Vector(repeating: c.eps)
        store(p + offset, weight + Vector(repeating: c.negativeStepSize) * mean / denominator)
    }

    @inline(__always) func finish(_ o: Int, _ g: Float) {
        let weight = p[o] * c.decoupledFactor
        let gradient = c.coupledDecay == 0 ? g : g + c.coupledDecay * weight
        let mean = m[o] * c.beta1 + c.oneMinusBeta1 * gradient
        let square = v[o] * c.beta2 + c.oneMinusBeta2 * gradient * gradient
        m[o] = mean
        v[o] = square
        let denominator = square.squareRoot() / c.correction2Root + c.eps
        p[o] = weight + c.negativeStepSize * mean / denominator
    }
}

/// All of W in row tiles of 6, then single rows.
@inline(__always)
private func walk<E: Epilogue>(delta: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int,
                               outputs: Int, inputs: Int, _ epilogue: E) {
    var i = 0
    while i + 6 <= outputs {
        rowTile(6, row: i, delta: delta + i, x: x, rows: rows, outputs: outputs, inputs: inputs, epilogue)
        i += 6
    }
    while i < outputs {
        rowTile(1, row: i, delta: delta + i, x: x, rows: rows, outputs: outputs, inputs: inputs, epilogue)
        i += 1
    }
}

private typealias Vector = SIMD16<Float>

@inline(__always)
private func load(_ p: UnsafePointer<Float>) -> Vector {
    UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
}

@inline(__always)
private func store(_ p: UnsafeMutablePointer<Float>, _ v: Vector) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
}

/// `count` (1 or 6) rows of W starting at row `row`, all columns: tiles of 32 columns, then
/// one of 16, then single columns.
@inline(__always)
private func rowTile<E: Epilogue>(_ count: Int, row: Int, delta: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                  rows: Int, outputs: Int, inputs: Int, _ epilogue: E) {
    var j = 0
    let base = row * inputs
    while j + 32 <= inputs {
        tile(count, wide: true, column: j, base: base, delta: delta, x: x, rows: rows, outputs: outputs,
             inputs: inputs, epilogue)
        j += 32
    }
    if j + 16 <= inputs {
        tile(count, wide: false, column: j, base: base, delta: delta, x: x, rows: rows, outputs: outputs,
             inputs: inputs, epilogue)
        j += 16
    }
    // Columns past the last tile, one at a time, same arithmetic.
    while j < inputs {
        for r in 0..<count {
            var sum: Float = 0
            for k in 0..<rows { sum.addProduct(delta[k * outputs + r], x[k * inputs + j]) }
            epilogue.finish(base + r * inputs + j, sum)
        }
        j += 1
    }
}

/// `count` (1 or 6) rows x 32 (`wide`) or 16 columns of W from `column`: the sums stay in
/// registers (up to 12 vectors) while the examples go by, one row of x and of delta each.
@inline(__always)
private func tile<E: Epilogue>(_ count: Int, wide: Bool, column j: Int, base: Int, delta: UnsafePointer<Float>,
                               x: UnsafePointer<Float>, rows: Int, outputs: Int, inputs: Int, _ epilogue: E) {
    // s<r><h>: row r of the tile, columns j + 16 h ..< j + 16 (h + 1).
    var s00 = Vector(), s01 = Vector(), s10 = Vector(), s11 = Vector(), s20 = Vector(), s21 = Vector()
    var s30 = Vector(), s31 = Vector(), s40 = Vector(), s41 = Vector(), s50 = Vector(), s51 = Vector()
    var xk = x + j, dk = delta
    for _ in 0..<rows {
        let x0 = load(xk), x1 = wide ? load(xk + 16) : Vector()
        var a = Vector(repeating: dk[0])
        s00.addProduct(a, x0)
        if wide { s01.addProduct(a, x1) }
        if count == 6 {
            a = Vector(repeating: dk[1]); s10.addProduct(a, x0); if wide { s11.addProduct(a, x1) }
            a = Vector(repeating: dk[2]); s20.addProduct(a, x0); if wide { s21.addProduct(a, x1) }
            a = Vector(repeating: dk[3]); s30.addProduct(a, x0); if wide { s31.addProduct(a, x1) }
            a = Vector(repeating: dk[4]); s40.addProduct(a, x0); if wide { s41.addProduct(a, x1) }
            a = Vector(repeating: dk[5]); s50.addProduct(a, x0); if wide { s51.addProduct(a, x1) }
        }
        xk += inputs
        dk += outputs
    }
    @inline(__always) func finish(_ row: Int, _ half: Int, _ sum: Vector) {
        epilogue.finish(base + row * inputs + j + 16 * half, sum)
    }
    finish(0, 0, s00)
    if wide { finish(0, 1, s01) }
    if count == 6 {
        finish(1, 0, s10); finish(2, 0, s20); finish(3, 0, s30); finish(4, 0, s40); finish(5, 0, s50)
        if wide { finish(1, 1, s11); finish(2, 1, s21); finish(3, 1, s31); finish(4, 1, s41); finish(5, 1, s51) }
    }
}
