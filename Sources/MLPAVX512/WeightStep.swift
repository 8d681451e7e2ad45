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
    var i = 0
    while i + 6 <= outputs {
        rowTile(6, delta: delta + i, x: x, rows: rows, outputs: outputs, inputs: inputs,
                p: parameters + i * inputs, v: velocity + i * inputs, lr: lr, momentum: momentum)
        i += 6
    }
    while i < outputs {
        rowTile(1, delta: delta + i, x: x, rows: rows, outputs: outputs, inputs: inputs,
                p: parameters + i * inputs, v: velocity + i * inputs, lr: lr, momentum: momentum)
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

/// `count` (1 or 6) rows of W starting at `p`/`v`, all columns: tiles of 32 columns, then one
/// of 16, then single columns.
@inline(__always)
private func rowTile(_ count: Int, delta: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int,
                     outputs: Int, inputs: Int, p: UnsafeMutablePointer<Float>,
                     v: UnsafeMutablePointer<Float>, lr: Float, momentum: Float) {
    var j = 0
    while j + 32 <= inputs {
        tile(count, wide: true, column: j, delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs,
             p: p, v: v, lr: lr, momentum: momentum)
        j += 32
    }
    if j + 16 <= inputs {
        tile(count, wide: false, column: j, delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs,
             p: p, v: v, lr: lr, momentum: momentum)
        j += 16
    }
    // Columns past the last tile, one at a time, same arithmetic.
    while j < inputs {
        for r in 0..<count {
            var sum: Float = 0
            for k in 0..<rows { sum.addProduct(delta[k * outputs + r], x[k * inputs + j]) }
            let o = r * inputs + j
            let velocity = sum.addingProduct(v[o], momentum)
            v[o] = velocity
            p[o] = p[o] - lr * velocity
        }
        j += 1
    }
}

/// `count` (1 or 6) rows x 32 (`wide`) or 16 columns of W from `column`: the sums stay in
/// registers (up to 12 vectors) while the examples go by, one row of x and of delta each.
@inline(__always)
private func tile(_ count: Int, wide: Bool, column j: Int, delta: UnsafePointer<Float>, x: UnsafePointer<Float>,
                  rows: Int, outputs: Int, inputs: Int, p: UnsafeMutablePointer<Float>,
                  v: UnsafeMutablePointer<Float>, lr: Float, momentum: Float) {
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
    let vlr = Vector(repeating: lr), vmomentum = Vector(repeating: momentum)
    @inline(__always) func finish(_ row: Int, _ half: Int, _ sum: Vector) {
        let offset = row * inputs + j + 16 * half
        let velocity = sum.addingProduct(load(v + offset), vmomentum)
        store(v + offset, velocity)
        store(p + offset, load(p + offset) - vlr * velocity)
    }
    finish(0, 0, s00)
    if wide { finish(0, 1, s01) }
    if count == 6 {
        finish(1, 0, s10); finish(2, 0, s20); finish(3, 0, s30); finish(4, 0, s40); finish(5, 0, s50)
        if wide { finish(1, 1, s11); finish(2, 1, s21); finish(3, 1, s31); finish(4, 1, s41); finish(5, 1, s51) }
    }
}
