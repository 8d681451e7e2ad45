import Vocabulary
internal import MLPAVX2
internal import MLPAVX512

/// The engine's own kernels for one instruction set: `MLPAVX512` or `MLPAVX2`, one source
/// compiled twice, which sum every element in the same order and so give the same bits. The
/// trainer holds one of these and calls through it (a call per product, nothing per element).
struct VectorKernels: Sendable {
    /// C = A B, row-major with row strides: (m, n, k, a, lda, b, ldb, c, ldc).
    let matrixProduct: @Sendable (Int, Int, Int, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int,
                                  UnsafeMutablePointer<Float>, Int) -> Void
    /// SGD momentum fused with the weight gradient: (delta, x, rows, outputs, inputs, p, v, lr, momentum).
    let weightStep: @Sendable (UnsafePointer<Float>, UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>,
                               UnsafeMutablePointer<Float>, Float, Float) -> Void
    /// g = deltaᵀ x: (delta, x, rows, outputs, inputs, g).
    let weightGradient: @Sendable (UnsafePointer<Float>, UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>) -> Void
    /// Adam fused with the weight gradient: (delta, x, rows, outputs, inputs, p, m, v, scalars).
    let adamWeightStep: @Sendable (UnsafePointer<Float>, UnsafePointer<Float>, Int, Int, Int, UnsafeMutablePointer<Float>,
                                   UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, AdamScalars) -> Void

    static let avx512 = VectorKernels(
        matrixProduct: { MLPAVX512.matrixProduct(m: $0, n: $1, k: $2, a: $3, lda: $4, b: $5, ldb: $6, c: $7, ldc: $8) },
        weightStep: {
            MLPAVX512.weightStep(delta: $0, x: $1, rows: $2, outputs: $3, inputs: $4, parameters: $5, velocity: $6,
                                 lr: $7, momentum: $8)
        },
        weightGradient: { MLPAVX512.weightGradient(delta: $0, x: $1, rows: $2, outputs: $3, inputs: $4, gradient: $5) },
        adamWeightStep: { delta, x, rows, outputs, inputs, p, m, v, s in
            MLPAVX512.adamWeightStep(delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs, parameters: p,
                                     firstMoment: m, secondMoment: v, constants: s)
        })

    static let avx2 = VectorKernels(
        matrixProduct: { MLPAVX2.matrixProduct(m: $0, n: $1, k: $2, a: $3, lda: $4, b: $5, ldb: $6, c: $7, ldc: $8) },
        weightStep: {
            MLPAVX2.weightStep(delta: $0, x: $1, rows: $2, outputs: $3, inputs: $4, parameters: $5, velocity: $6,
                               lr: $7, momentum: $8)
        },
        weightGradient: { MLPAVX2.weightGradient(delta: $0, x: $1, rows: $2, outputs: $3, inputs: $4, gradient: $5) },
        adamWeightStep: { delta, x, rows, outputs, inputs, p, m, v, s in
            MLPAVX2.adamWeightStep(delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs, parameters: p,
                                   firstMoment: m, secondMoment: v, constants: s)
        })
}
