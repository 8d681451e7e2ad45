internal import CBLAS

/// The only door to BLAS: row-major single-precision GEMM, and the thread count.
public enum BLAS {
    /// `C = alpha * op(A) * op(B) + beta * C`, all row-major.
    /// - Parameters:
    ///   - transA, transB: whether to use A^T / B^T.
    ///   - m, n, k: op(A) is [m, k], op(B) is [k, n], C is [m, n].
    ///   - lda, ldb, ldc: row strides of A, B and C as stored.
    @inline(__always)
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Sets how many threads BLAS may use (OpenBLAS); a no-op elsewhere.
    public static func setThreads(_ count: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(count))
        #endif
    }

    /// The BLAS build in use, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
    public static var configuration: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        return String(cString: openblas_get_config())
        #endif
    }
}
