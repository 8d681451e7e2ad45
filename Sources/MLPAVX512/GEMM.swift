/// The engine's matrix product, C = A B, with an epilogue that says what becomes of C (stored,
/// or a weight step's velocity and parameters). This file is compiled twice: in MLPAVX512 (for
/// CPUs with AVX-512) and, through a symbolic link, in MLPAVX2 (AVX2 and FMA); each module's
/// Vector.swift sets the register (`Vector`, `lanes` wide) and the tile (`tileRows` x
/// `tileVectors` registers).
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
