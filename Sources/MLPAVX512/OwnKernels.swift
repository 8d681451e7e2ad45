#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif
import Vocabulary

// The engine's own kernels, in one file because a debug build compiles a module file by file,
// and then nothing inlines or specialises across files: split into register helpers, the
// matrix product and the weight steps, this module's inner loops called a function per load
// and ran generic code, and the debug epoch took 6x the release one. The file is compiled
// twice: in MLPAVX512 (for CPUs with AVX-512) and, through a symbolic link, in MLPAVX2 (AVX2 and
// FMA, with the compilation condition AVX2), which differ only in the register and tile below.

// MARK: - The register and the tile

#if AVX2
// AVX2 with FMA: one ymm register of eight Float32 lanes; tiles of 6 rows x 2 registers (12 of
// the 16 registers hold sums). The kernels below are the same as MLPAVX512's, and since every
// element is summed in one lane, in order, so are the bits.

/// The kernels' register: eight Float32 lanes.
typealias Vector = SIMD8<Float>
/// Floats in a register.
let lanes = 8
/// Rows and registers of columns in a full tile.
let tileRows = 6
let tileVectors = 2

/// Which lanes of a register a masked load or store touches: all ones in each lane to touch,
/// as vmaskmovps wants it.
typealias LaneMask = SIMD8<Int32>

/// The first `count` (1...8) lanes.
@inline(__always)
func laneMask(_ count: Int) -> LaneMask {
    LaneMask(repeating: 0).replacing(with: -1, where: LaneMask(0, 1, 2, 3, 4, 5, 6, 7) .< Int32(count))
}

/// The lanes of `mask` from p, zeros elsewhere; memory past them is not touched.
@inline(__always)
func load(_ p: UnsafePointer<Float>, _ mask: LaneMask) -> Vector {
    #if arch(x86_64)
    return _mm256_maskload_ps(p, unsafeBitCast(mask, to: SIMD4<Int64>.self))
    #else
    var v = Vector()
    for i in 0..<lanes where mask[i] != 0 { v[i] = p[i] }
    return v
    #endif
}

/// Stores the lanes of `mask` only.
@inline(__always)
func store(_ p: UnsafeMutablePointer<Float>, _ v: Vector, _ mask: LaneMask) {
    #if arch(x86_64)
    _mm256_maskstore_ps(p, unsafeBitCast(mask, to: SIMD4<Int64>.self), v)
    #else
    for i in 0..<lanes where mask[i] != 0 { p[i] = v[i] }
    #endif
}

/// vsqrtps, correctly rounded in every lane.
@inline(__always)
func squareRoot(_ v: Vector) -> Vector {
    #if arch(x86_64)
    return _mm256_sqrt_ps(v)
    #else
    return v.squareRoot()
    #endif
}
#else
// AVX-512: one zmm register of sixteen Float32 lanes; tiles of 8 rows x 3 registers (24 of the
// 32 registers hold sums).

/// The kernels' register: sixteen Float32 lanes.
typealias Vector = SIMD16<Float>
/// Floats in a register.
let lanes = 16
/// Rows and registers of columns in a full tile.
let tileRows = 8
let tileVectors = 3

/// Which lanes of a register a masked load or store touches (a row's last, partial vector).
typealias LaneMask = UInt16

/// The first `count` (1...16) lanes.
@inline(__always)
func laneMask(_ count: Int) -> LaneMask {
    UInt16(truncatingIfNeeded: (1 << count) - 1)
}

/// The lanes of `mask` from p, zeros elsewhere; memory past them is not touched.
@inline(__always)
func load(_ p: UnsafePointer<Float>, _ mask: LaneMask) -> Vector {
    #if arch(x86_64)
    return _mm512_maskz_loadu_ps(mask, p)
    #else
    var v = Vector()
    for i in 0..<lanes where mask & (1 << i) != 0 { v[i] = p[i] }
    return v
    #endif
}

/// Stores the lanes of `mask` only.
@inline(__always)
func store(_ p: UnsafeMutablePointer<Float>, _ v: Vector, _ mask: LaneMask) {
    #if arch(x86_64)
    _mm512_mask_storeu_ps(p, mask, v)
    #else
    for i in 0..<lanes where mask & (1 << i) != 0 { p[i] = v[i] }
    #endif
}

/// vsqrtps, correctly rounded in every lane (SIMD16's squareRoot() goes lane by lane through
/// sqrtf in Swift 6.3, many times slower).
@inline(__always)
func squareRoot(_ v: Vector) -> Vector {
    #if arch(x86_64)
    return _mm512_sqrt_ps(v)
    #else
    return v.squareRoot()
    #endif
}
#endif

/// A whole register from p, unaligned.
@inline(__always)
func load(_ p: UnsafePointer<Float>) -> Vector {
    UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
}

/// A whole register to p, unaligned.
@inline(__always)
func store(_ p: UnsafeMutablePointer<Float>, _ v: Vector) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
}

// MARK: - The matrix product

/// The engine's matrix product, C = A B, with an epilogue that says what becomes of C (stored,
/// or a weight step's velocity and parameters), in the register (`Vector`, `lanes` wide) and
/// tile (`tileRows` x `tileVectors` registers) set above.
///
///     A [m, k]: element (i, p) at a[i * aRow + p * aDepth]   (row-major: aRow = lda, aDepth = 1;
///                                                            a transposed operand: aRow = 1, aDepth = ld)
///     B [k, n]: row-major, row stride ldb.
///
/// Every element of C is the sum of its k products in order of p, with fused multiply-adds from
/// zero: one lane of one register accumulates it, and lanes never add to each other. That is
/// the whole rounding story, the same for any tile shape or vector width, so the naive twin
/// (`Reference.gemm` in MLP: three loops and `addingProduct`) gives the same bits, and so
/// would a scalar kernel: both modules give the same bits.
///
/// Tiles of `tileRows` rows x `tileVectors` registers of columns (AVX-512: 8 x 48 floats in 24
/// registers of sums; AVX2: 6 x 16 in 12): for each p, the vectors of B's row are loaded once
/// and multiplied by broadcast values of A's column; a partial last vector (n not a multiple of
/// `lanes`) is loaded and stored under a lane mask.
/// - Parameters:
///   - order: `.panels` (long k: each panel of B stays in L2 while the row tiles pass it, rows
///     in blocks of 8 tiles, 64 or 48) or `.rows` (short k, large C: each strip of C's rows is
///     finished left to right, so the epilogue streams C's rows once, in order).
@inline(__always)
func gemm<E: GEMMEpilogue>(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, aRow: Int, aDepth: Int,
                           b: UnsafePointer<Float>, ldb: Int, order: GEMMOrder, _ epilogue: E) {
    let operands = Operands(k: k, a: a, aRow: aRow, aDepth: aDepth, b: b, ldb: ldb)
    switch order {
    case .panels:
        var i0 = 0
        while i0 < m {
            let rows = min(8 * tileRows, m - i0)
            var j = 0
            while j < n {
                let width = min(tileVectors * lanes, n - j)
                var i = i0
                while i < i0 + rows {
                    let count = min(tileRows, i0 + rows - i)
                    strip(i, count, j, width, operands, epilogue)
                    i += count
                }
                j += width
            }
            i0 += rows
        }
    case .rows:
        let panel = tileVectors * lanes
        var i = 0
        while i < m {
            let count = min(tileRows, m - i)
            var j = 0
            while j < n {
                let width = min(panel, n - j)
                // What the next tile's epilogue reads and writes, on its way while this tile sums.
                if j + width < n {
                    epilogue.prefetch(rows: i ..< i + count, columns: j + width ..< min(j + width + panel, n))
                } else if i + count < m {
                    epilogue.prefetch(rows: i + count ..< min(i + count + tileRows, m), columns: 0 ..< min(panel, n))
                }
                strip(i, count, j, width, operands, epilogue)
                j += width
            }
            i += count
        }
    }
}

/// LLVM's prefetch intrinsic (prefetcht0 or prefetchw on x86): a hint, it changes no value.
/// - Parameters: write: 1 to prefetch for writing; locality: 3, keep in every cache level;
///   cache: 1, data.
@_silgen_name("llvm.prefetch.p0")
func prefetch(_ address: UnsafeRawPointer, _ write: Int32, _ locality: Int32, _ cache: Int32)

/// Asks for the cache lines of rows x columns of a row-major array (row stride ld), to be written.
@inline(__always)
func prefetchForWriting(_ base: UnsafeMutablePointer<Float>, ld: Int, rows: Range<Int>, columns: Range<Int>) {
    for r in rows {
        var c = columns.lowerBound
        while c < columns.upperBound {
            prefetch(base + r * ld + c, 1, 3, 1)
            c += 16   // a 64-byte line
        }
    }
}

/// The lanes of `mask` from p, or all of them without one.
@inline(__always)
func load(_ p: UnsafePointer<Float>, _ mask: LaneMask?) -> Vector {
    if let mask { return load(p, mask) }
    return load(p)
}

/// Stores the lanes of `mask`, or all of them without one.
@inline(__always)
func store(_ p: UnsafeMutablePointer<Float>, _ v: Vector, _ mask: LaneMask?) {
    if let mask { store(p, v, mask) } else { store(p, v) }
}

/// The order `gemm` walks C's tiles in.
enum GEMMOrder { case panels, rows }

/// C = A B stored as it is: A [m, k], B [k, n], C [m, n], row-major with row strides lda, ldb,
/// ldc (see `gemm`).
public func matrixProduct(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                       c: UnsafeMutablePointer<Float>, ldc: Int) {
    gemm(m: m, n: n, k: k, a: a, aRow: lda, aDepth: 1, b: b, ldb: ldb, order: .panels, StoreC(c: c, ldc: ldc))
}

/// A product's operands, as `gemm` takes them.
struct Operands {
    let k: Int
    let a: UnsafePointer<Float>, aRow: Int, aDepth: Int
    let b: UnsafePointer<Float>, ldb: Int
}

/// What happens to a finished piece of a row of C: row i, columns j ..< j + lanes (or the lanes
/// of `mask`).
protocol GEMMEpilogue {
    func finish(row i: Int, column j: Int, _ sum: Vector, _ mask: LaneMask?)
    /// A hint that the epilogue will soon finish these rows and columns: `.rows` order calls it
    /// a tile ahead, so that what the epilogue reads (a weight step's v and p, 48 lines a tile)
    /// is on its way while the tile sums. Inside a training epoch, where the forward and
    /// backward products pass through the caches between two weight steps, this made the epoch
    /// about 6% faster on this machine (median of 9 alternating pairs; alone, the weight steps
    /// ran as fast without it).
    func prefetch(rows: Range<Int>, columns: Range<Int>)
}

extension GEMMEpilogue {
    @inline(__always) func prefetch(rows: Range<Int>, columns: Range<Int>) {}
}

/// C[i, j] = sum.
struct StoreC: GEMMEpilogue {
    let c: UnsafeMutablePointer<Float>, ldc: Int

    @inline(__always) func finish(row i: Int, column j: Int, _ sum: Vector, _ mask: LaneMask?) {
        store(c + i * ldc + j, sum, mask)
    }
}

/// The tile at rows i ..< i + count, columns j ..< j + width (at most a panel): one of six
/// compiled shapes (`tileRows` rows or fewer x 1, 2 or 3 vectors), each its own function so that
/// the compiler inlines the tile into it with its shape fixed (it stops inlining into callers it
/// finds too large, @inline(__always) or not).
@inline(__always)
private func strip<E: GEMMEpilogue>(_ i: Int, _ count: Int, _ j: Int, _ width: Int, _ operands: Operands, _ epilogue: E) {
    let vectors = (width + lanes - 1) / lanes
    // A mask only for a partial last vector (a masked store with every lane on is slow on some
    // CPUs: vmaskmovps on AMD's).
    let mask: LaneMask? = width == vectors * lanes ? nil : laneMask(width - lanes * (vectors - 1))
    switch (count == tileRows, vectors) {
    case (true, 3): tileFullx3(i, j, mask, operands, epilogue)
    case (true, 2): tileFullx2(i, j, mask, operands, epilogue)
    case (true, _): tileFullx1(i, j, mask, operands, epilogue)
    case (false, 3): tileNx3(count, i, j, mask, operands, epilogue)
    case (false, 2): tileNx2(count, i, j, mask, operands, epilogue)
    case (false, _): tileNx1(count, i, j, mask, operands, epilogue)
    }
}

@inline(never) private func tileFullx3<E: GEMMEpilogue>(_ i: Int, _ j: Int, _ mask: LaneMask?, _ o: Operands, _ e: E) {
    tile(tileRows, 3, row: i, column: j, mask: mask, o, e)
}
@inline(never) private func tileFullx2<E: GEMMEpilogue>(_ i: Int, _ j: Int, _ mask: LaneMask?, _ o: Operands, _ e: E) {
    tile(tileRows, 2, row: i, column: j, mask: mask, o, e)
}
@inline(never) private func tileFullx1<E: GEMMEpilogue>(_ i: Int, _ j: Int, _ mask: LaneMask?, _ o: Operands, _ e: E) {
    tile(tileRows, 1, row: i, column: j, mask: mask, o, e)
}
@inline(never) private func tileNx3<E: GEMMEpilogue>(_ n: Int, _ i: Int, _ j: Int, _ mask: LaneMask?, _ o: Operands, _ e: E) {
    tile(n, 3, row: i, column: j, mask: mask, o, e)
}
@inline(never) private func tileNx2<E: GEMMEpilogue>(_ n: Int, _ i: Int, _ j: Int, _ mask: LaneMask?, _ o: Operands, _ e: E) {
    tile(n, 2, row: i, column: j, mask: mask, o, e)
}
@inline(never) private func tileNx1<E: GEMMEpilogue>(_ n: Int, _ i: Int, _ j: Int, _ mask: LaneMask?, _ o: Operands, _ e: E) {
    tile(n, 1, row: i, column: j, mask: mask, o, e)
}

/// One tile: `count` (1...`tileRows`, at most 8) rows from `row` x `vectors` (1...3) vectors from
/// `column`, the last vector under `mask` when there is one. The sums s<r><v> stay in registers
/// for all of k.
@inline(__always)
private func tile<E: GEMMEpilogue>(_ count: Int, _ vectors: Int, row: Int, column: Int, mask: LaneMask?,
                                   _ o: Operands, _ epilogue: E) {
    var s00 = Vector(), s01 = Vector(), s02 = Vector(), s10 = Vector(), s11 = Vector(), s12 = Vector()
    var s20 = Vector(), s21 = Vector(), s22 = Vector(), s30 = Vector(), s31 = Vector(), s32 = Vector()
    var s40 = Vector(), s41 = Vector(), s42 = Vector(), s50 = Vector(), s51 = Vector(), s52 = Vector()
    var s60 = Vector(), s61 = Vector(), s62 = Vector(), s70 = Vector(), s71 = Vector(), s72 = Vector()
    var ap = o.a + row * o.aRow
    var bk = o.b + column
    let aRow = o.aRow
    for _ in 0..<o.k {
        let b0 = vectors == 1 ? load(bk, mask) : load(bk)
        let b1 = vectors == 2 ? load(bk + lanes, mask) : vectors > 2 ? load(bk + lanes) : Vector()
        let b2 = vectors == 3 ? load(bk + 2 * lanes, mask) : Vector()
        @inline(__always) func update(_ r: Int, _ t0: inout Vector, _ t1: inout Vector, _ t2: inout Vector) {
            let x = Vector(repeating: ap[r * aRow])
            t0.addProduct(x, b0)
            if vectors > 1 { t1.addProduct(x, b1) }
            if vectors > 2 { t2.addProduct(x, b2) }
        }
        update(0, &s00, &s01, &s02)
        if count > 1 { update(1, &s10, &s11, &s12) }
        if count > 2 { update(2, &s20, &s21, &s22) }
        if count > 3 { update(3, &s30, &s31, &s32) }
        if count > 4 { update(4, &s40, &s41, &s42) }
        if count > 5 { update(5, &s50, &s51, &s52) }
        if count > 6 { update(6, &s60, &s61, &s62) }
        if count > 7 { update(7, &s70, &s71, &s72) }
        ap += o.aDepth
        bk += o.ldb
    }
    @inline(__always) func finish(_ r: Int, _ t0: Vector, _ t1: Vector, _ t2: Vector) {
        epilogue.finish(row: row + r, column: column, t0, vectors == 1 ? mask : nil)
        if vectors > 1 { epilogue.finish(row: row + r, column: column + lanes, t1, vectors == 2 ? mask : nil) }
        if vectors > 2 { epilogue.finish(row: row + r, column: column + 2 * lanes, t2, mask) }
    }
    finish(0, s00, s01, s02)
    if count > 1 { finish(1, s10, s11, s12) }
    if count > 2 { finish(2, s20, s21, s22) }
    if count > 3 { finish(3, s30, s31, s32) }
    if count > 4 { finish(4, s40, s41, s42) }
    if count > 5 { finish(5, s50, s51, s52) }
    if count > 6 { finish(6, s60, s61, s62) }
    if count > 7 { finish(7, s70, s71, s72) }
}

// MARK: - The weight steps

/// The weight half of a training step for one layer, fused: the weight gradient, PyTorch's SGD
/// momentum and the descent in one pass over W. (`MLP` calls each module's only where the CPU
/// has its instructions.)
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
///   - constants: the step's numbers (`Optimizer.Adam.scalars`; the type is Vocabulary's).
public func adamWeightStep(delta: UnsafePointer<Float>, x: UnsafePointer<Float>, rows: Int,
                           outputs: Int, inputs: Int, parameters: UnsafeMutablePointer<Float>,
                           firstMoment: UnsafeMutablePointer<Float>, secondMoment: UnsafeMutablePointer<Float>,
                           constants: AdamScalars) {
    gemm(m: outputs, n: inputs, k: rows, a: delta, aRow: 1, aDepth: outputs, b: x, ldb: inputs, order: .rows,
         AdamUpdate(p: parameters, m: firstMoment, v: secondMoment, ld: inputs, c: constants))
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
    let c: AdamScalars

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
