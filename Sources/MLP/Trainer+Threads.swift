/// One run on several cores, with the same bits on any number of them: the matrix products and
/// the weights' steps are split into blocks of whole output elements, each block computed by
/// the same kernel on its own thread (`WorkerPool`: block t always on participant t). Every element is still the same products summed in the
/// same order (the own kernels sum each element in order, whatever the block: `Reference.gemm`),
/// so the split changes nothing but who computes it. Everything else (biases, activations,
/// dropout's draws, the optimizer's other steps) stays on the calling thread. Each block runs in
/// the caller's floating-point mode (subnormals flushed, as the engine computes: the mode is
/// per thread, and the pool's helpers have their own).
extension Trainer {
    /// Blocks at least this many multiply-adds each, or the split is not worth a thread.
    static let minimumBlockWork = 1 << 17

    /// How many blocks `work` multiply-adds over `extent` rows or columns make: at most the
    /// threads, and none smaller than `minimumBlockWork`.
    func blocks(work: Int, extent: Int) -> Int {
        min(threads, extent, max(1, work / Trainer.minimumBlockWork))
    }

    /// `body(block, start, end)` for each of at most `count` contiguous ranges of 0..<extent,
    /// cut at multiples of `align`, concurrently (on the calling thread when there is one).
    func split(_ extent: Int, into count: Int, align: Int, _ body: (Int, Int, Int) -> Void) {
        guard count > 1 else { return body(0, 0, extent) }
        let step = (extent + count - 1) / count
        let chunk = (step + align - 1) / align * align
        let pieces = (extent + chunk - 1) / chunk
        // Each block writes only its own elements and scratch: the blocks share nothing.
        pool!.run(pieces) { t in body(t, t * chunk, min(extent, (t + 1) * chunk)) }
    }

    /// C = A B on the own kernels, split over C's columns (or, when C is taller than wide, its
    /// rows) into blocks of whole elements.
    func threadedProduct(_ vector: VectorKernels, m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if n >= m {
            // Cut at the kernels' tile width (AVX-512: 3 x 16 columns, AVX2: 2 x 8): no block has a masked edge it need not.
            split(n, into: blocks(work: m * n * k, extent: n), align: kernels == .avx512 ? 48 : 16) { _, j0, j1 in
                vector.matrixProduct(m, j1 - j0, k, a, lda, b + j0, ldb, c + j0, ldc)
            }
        } else {
            split(m, into: blocks(work: m * n * k, extent: m), align: 8) { _, i0, i1 in
                vector.matrixProduct(i1 - i0, n, k, a + i0 * lda, lda, b, ldb, c + i0 * ldc, ldc)
            }
        }
    }

    /// A weight kernel on Wᵀ [inputs, outputs] (dWᵀ = xᵀ delta and the optimizer's step on it),
    /// split over Wᵀ's rows: each block's x columns are copied into its own scratch (the
    /// kernels take x packed), its rows of p, v, m are contiguous. `kernel(xBlock, rowsOfW,
    /// offset)` runs one block.
    func threadedWeights(x: UnsafePointer<Float>, rows: Int, inputs: Int, outputs: Int,
                         _ kernel: (UnsafePointer<Float>, Int, Int) -> Void) {
        let count = blocks(work: rows * inputs * outputs, extent: inputs)
        guard count > 1 else { return kernel(x, inputs, 0) }
        let scratch = weightScratch.baseAddress!, capacity = weightScratch.count / threads
        split(inputs, into: count, align: 8) { t, i0, i1 in
            let width = i1 - i0, block = scratch + t * capacity
            precondition(rows * width <= capacity)
            for r in 0..<rows { (block + r * width).update(from: x + r * inputs + i0, count: width) }
            kernel(UnsafePointer(block), width, i0)
        }
    }
}
