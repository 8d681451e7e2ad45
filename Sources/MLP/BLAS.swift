internal import CBLAS

/// The only door to BLAS (BLIS on Linux, Accelerate on macOS): row-major single-precision
/// GEMM, the thread count, and what is in use.
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

    /// Sets how many threads each BLAS call may use (BLIS); a no-op with Accelerate.
    public static func setThreads(_ count: Int) {
        #if !canImport(Accelerate)
        bli_thread_set_num_threads(Int64(count))
        #endif
    }

    /// The BLAS in use and its kernels for this CPU, e.g. "BLIS 0.9.0 (haswell kernels)".
    public static var configuration: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        return "BLIS \(String(cString: bli_info_get_version_str())) "
            + "(\(String(cString: bli_arch_string(bli_arch_query_id()))) kernels)"
        #endif
    }
}
