import Testing
@testable import MLP
import MLPAVX2
import MLPAVX512

/// The own kernels this CPU can run, by name: MLPAVX512's and MLPAVX2's `matrixProduct`.
typealias Product = (Int, Int, Int, UnsafePointer<Float>, Int, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int) -> Void
var ownProducts: [(String, Product)] {
    var products: [(String, Product)] = []
    if CPUFeatures.hasAVX512 {
        products.append(("AVX-512", { MLPAVX512.matrixProduct(m: $0, n: $1, k: $2, a: $3, lda: $4, b: $5, ldb: $6, c: $7, ldc: $8) }))
    }
    if CPUFeatures.hasAVX2 {
        products.append(("AVX2", { MLPAVX2.matrixProduct(m: $0, n: $1, k: $2, a: $3, lda: $4, b: $5, ldb: $6, c: $7, ldc: $8) }))
    }
    return products
}

/// The engine's own matrix product (each instruction set's) against its naive twin, bit for
/// bit: `Reference.gemm` sums each element's products in order with fused multiply-adds, and so
/// must every tile.
@Suite(.enabled(if: CPUFeatures.hasAVX2, "this CPU has neither AVX-512 nor AVX2"))
struct OwnGEMM {
    /// Every tile shape and edge: rows 1...17 and 32, 64, 65 and 100 (full tiles of 8 or 6 rows,
    /// partial ones, more than one 64-row block); widths 1...100 (one, two, three vectors of 16
    /// or 8, full or under a lane mask, several panels); depths 0, 1, 7, 784.
    @Test(arguments: [0, 1, 7, 784])
    func sameBitsAsTheNaiveTwin(k: Int) {
        let rowsCases = Array(1...17) + [32, 64, 65, 100]
        let widths = [1, 5, 10, 15, 16, 17, 31, 32, 33, 47, 48, 49, 64, 96, 100]
        for m in rowsCases where k < 784 || [1, 8, 13, 32].contains(m) {
            for n in widths {
                // Row strides wider than the rows: a kernel that reads or writes past a row shows.
                let (lda, ldb, ldc) = (k + 3, n + 5, n + 2)
                let a = values(m * lda, seed: UInt64(m * 1000 + k)), b = values(max(k, 1) * ldb, seed: UInt64(n + 7))
                var naive = [Float](repeating: .nan, count: m * ldc)
                Reference.gemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: &naive, ldc: ldc)
                for (name, product) in ownProducts {
                    var fast = [Float](repeating: .nan, count: m * ldc)
                    product(m, n, k, a, lda, b, ldb, &fast, ldc)
                    #expect(differing(fast, naive) == 0, "\(name): m \(m), n \(n), k \(k)")
                }
            }
        }
    }

    /// The naive twin itself, against the Double reference (so the bit-for-bit test above
    /// compares with something right). Tolerance: Float32 sums of 300 products of numbers < 1.
    @Test func naiveTwinIsAMatrixProduct() {
        let (m, n, k) = (9, 21, 300)
        let a = values(m * k, seed: 1), b = values(k * n, seed: 2)
        var c = [Float](repeating: 0, count: m * n)
        Reference.gemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n)
        #expect(close(c, Reference.matmul(a, b, transA: false, transB: false, m: m, n: n, k: k), atol: 1e-4, rtol: 1e-5))
    }
}

@Suite struct EngineLayout {
    @Test func transposeMovesEveryElement() {
        for (rows, columns) in [(1, 1), (3, 17), (8, 8), (32, 10), (13, 29)] {
            let m = values(rows * columns, seed: UInt64(rows * columns))
            var out = [Float](repeating: .nan, count: rows * columns)
            Kernels.transpose(m, rows: rows, columns: columns, into: &out)
            for r in 0..<rows { for c in 0..<columns { #expect(out[c * rows + r] == m[r * columns + c]) } }
        }
    }

    /// Parameters in, parameters out: the engine's transposed weights never show outside.
    @Test func stateAndParametersKeepTheFlatLayout() {
        let shape = NetworkShape(inputs: 7, hidden: [5, 3], classes: 2, batchNorm: true)
        let hyper = Trainer.Hyperparameters(activation: .relu, dropout: 0, lr: 0.1, momentum: 0.9, batchSize: 2, seed: 3)
        let trainer = Trainer(shape: shape, hyper: hyper)
        let flat = values(shape.parameterCount, seed: 9)
        trainer.parameterValues = flat
        #expect(trainer.parameterValues == flat)
        #expect(trainer.state.parameters == flat)
        var state = trainer.state
        state.velocity = values(shape.parameterCount, seed: 10)
        #expect(trainer.restore(state))
        #expect(trainer.state == state)
        // The logits of one example from the flat layout by hand: W [out, in] as PyTorch's.
        let other = Trainer(shape: NetworkShape(inputs: 3, hidden: [], classes: 2), hyper: hyper)
        other.parameterValues = [1, 2, 3, 4, 5, 6, 0.5, -0.5]   // W = [[1, 2, 3], [4, 5, 6]], b = [0.5, -0.5]
        let g = other.lossAndGradients(inputs: [1, 0, 0], labels: [0]).gradients
        // Logits [1.5, 3.5]: softmax p0 = 1 / (1 + e^2); dW[0, 0] = p0 - 1 at flat index 0, dW[1, 0] at 3.
        let p0 = 1 / (1 + Float(7.389056))
        #expect(abs(g[0] - (p0 - 1)) < 1e-6 && abs(g[3] - (1 - p0)) < 1e-6)
        #expect(g[1] == 0 && g[2] == 0 && g[4] == 0 && g[5] == 0)
    }
}

/// The own kernels' paths inside the trainer (AVX-512, AVX2) against their naive twin (`.naive`:
/// `Reference.gemm`, `.weightGradient`, `.momentumStep`): the same bits after whole epochs, so
/// the layout, the transposes and the swapped operands of the weight step are right as well as
/// the kernels.
@Suite(.enabled(if: CPUFeatures.hasAVX2, "this CPU has neither AVX-512 nor AVX2"))
struct OwnKernelPaths {
    static let paths = [Trainer.KernelPath.avx512, .avx2].filter(\.runsHere)

    @Test(arguments: [("seed", false, [512, 256]), ("odd widths", true, [37, 1]), ("no hidden", false, [])], paths)
    func sameBitsAsTheNaivePath(_ network: (name: String, batchNorm: Bool, hidden: [Int]), _ path: Trainer.KernelPath) {
        let (name, batchNorm, hidden) = network
        let shape = NetworkShape(inputs: 784, hidden: hidden, classes: 10, batchNorm: batchNorm)
        // Momentum 0.9 (v * 0.5 would be exact); 96 + 17 examples: a partial last batch.
        let hyper = Trainer.Hyperparameters(activation: .relu, dropout: hidden.isEmpty ? 0 : 0.5, lr: 0.01,
                                            momentum: 0.9, batchSize: 32, evalBatchSize: 50, seed: 4)
        let count = 113
        let pixels: [UInt8] = (0..<(count * 784)).map { (i: Int) -> UInt8 in UInt8((i * 131 + i / 784 * 7) % 256) }
        let labels: [UInt8] = (0..<count).map { UInt8(($0 * 3) % 10) }
        let fast = Trainer(shape: shape, hyper: hyper, kernels: path)
        let naive = Trainer(shape: shape, hyper: hyper, kernels: .naive)
        for _ in 0..<2 {
            let a = fast.trainEpoch(pixels: pixels, labels: labels), b = naive.trainEpoch(pixels: pixels, labels: labels)
            #expect(a.meanLoss == b.meanLoss, "\(name)")
        }
        let (a, b) = (fast.state, naive.state)
        #expect(differing(a.parameters, b.parameters) == 0 && differing(a.velocity, b.velocity) == 0, "\(name)")
        #expect(a == b, "\(name)")
        #expect(fast.state.parameters != Trainer(shape: shape, hyper: hyper).state.parameters)
        let e1 = fast.evaluate(pixels: pixels, labels: labels), e2 = naive.evaluate(pixels: pixels, labels: labels)
        #expect(e1.meanLoss == e2.meanLoss && e1.accuracy == e2.accuracy, "\(name)")
    }

    /// The BLAS path rounds its sums in another order: close, not equal, after an epoch.
    @Test(arguments: paths)
    func closeToTheBLASPath(_ path: Trainer.KernelPath) {
        let shape = NetworkShape(inputs: 784, hidden: [64], classes: 10)
        let hyper = Trainer.Hyperparameters(activation: .relu, dropout: 0, lr: 0.01, momentum: 0.9, batchSize: 32, seed: 4)
        let pixels: [UInt8] = (0..<(96 * 784)).map { (i: Int) -> UInt8 in UInt8((i * 131 + i / 784 * 7) % 256) }
        let labels: [UInt8] = (0..<96).map { UInt8(($0 * 3) % 10) }
        let fast = Trainer(shape: shape, hyper: hyper, kernels: path), blas = Trainer(shape: shape, hyper: hyper, kernels: .blas)
        _ = fast.trainEpoch(pixels: pixels, labels: labels)
        _ = blas.trainEpoch(pixels: pixels, labels: labels)
        #expect(close(fast.parameterValues, blas.parameterValues, atol: 1e-5, rtol: 1e-4))
    }
}
