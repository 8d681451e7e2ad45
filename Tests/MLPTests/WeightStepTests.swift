import Testing
@testable import MLP
import MLPAVX2
import MLPAVX512

/// The fused weight step (MLPAVX512's and MLPAVX2's) against the Double reference and against
/// its naive twin bit for bit. Runs only on CPUs with the instructions (elsewhere the engine
/// never calls it).
@Suite(.enabled(if: CPUFeatures.hasAVX2, "this CPU has neither AVX-512 nor AVX2"))
struct FusedWeightStep {
    /// Shapes that reach every part of the kernel: 8-row tiles and a partial one (13 = 8 + 5),
    /// a 48-column panel and a masked one (53 = 48 + 5), a batch of 5.
    /// Tolerance: Float32 sums of 5 products against the Double reference.
    @Test(.enabled(if: CPUFeatures.hasAVX512, "this CPU has no AVX-512"))
    func matchesGradientThenPyTorchRule() {
        let (rows, outputs, inputs) = (5, 13, 53)
        let delta = values(rows * outputs, seed: 21), x = values(rows * inputs, seed: 22)
        var p = values(outputs * inputs, seed: 23), v = values(outputs * inputs, seed: 24).map { $0 / 10 }
        var expectedP = p, expectedV = v
        for _ in 0..<2 {
            let g = Reference.matmul(delta, x, transA: true, transB: false, m: outputs, n: inputs, k: rows)
            Reference.sgdMomentum(parameters: &expectedP, gradients: g, velocity: &expectedV, lr: 0.1, momentum: 0.9)
            MLPAVX512.weightStep(delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs,
                                 parameters: &p, velocity: &v, lr: 0.1, momentum: 0.9)
        }
        #expect(close(v, expectedV, atol: 1e-5, rtol: 1e-5))
        #expect(close(p, expectedP, atol: 1e-5, rtol: 1e-5))
    }

    /// The fused pass and its naive twin (`Reference.weightGradient`, then `.momentumStep`) leave
    /// the same bits, for every tile shape: widths 1...100 (one, two and three vectors, full or
    /// masked, several panels), rows of W 1, 8, 13, 17, batches 1, 5, 32; so does the gradient
    /// alone (`weightGradient`); and the AVX2 build of the same source. Momentum 0.9, not the
    /// seed's 0.5: multiplying by 0.5 is exact, which would hide a difference in how
    /// v * momentum + gradient is rounded.
    /// (AVX-512 only where the CPU has it: a machine without it runs the AVX2 build's cases.)
    @Test(arguments: [1, 5, 32], CPUFeatures.hasAVX512 ? [true, false] : [false])
    func sameBitsAsTheNaiveTwin(rows: Int, avx512: Bool) throws {
        for outputs in [1, 8, 13, 17] {
            for inputs in [1, 10, 16, 17, 33, 47, 48, 64, 100] {
                let delta = values(rows * outputs, seed: 31), x = values(rows * inputs, seed: 32)
                var p1 = values(outputs * inputs, seed: 33), v1 = values(outputs * inputs, seed: 34).map { $0 / 10 }
                var p2 = p1, v2 = v1
                var g1 = [Float](repeating: .nan, count: outputs * inputs), g2 = g1
                for _ in 0..<2 {
                    if avx512 {
                        MLPAVX512.weightStep(delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs,
                                             parameters: &p1, velocity: &v1, lr: 0.1, momentum: 0.9)
                    } else {
                        MLPAVX2.weightStep(delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs,
                                           parameters: &p1, velocity: &v1, lr: 0.1, momentum: 0.9)
                    }
                    Reference.weightGradient(delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs, into: &g2)
                    Reference.momentumStep(parameters: &p2, velocity: &v2, gradients: g2, count: p2.count, lr: 0.1,
                                           momentum: 0.9)
                }
                if avx512 {
                    MLPAVX512.weightGradient(delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs, gradient: &g1)
                } else {
                    MLPAVX2.weightGradient(delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs, gradient: &g1)
                }
                let shape = "\(avx512 ? "AVX-512" : "AVX2"): W [\(outputs), \(inputs)], \(rows) rows"
                #expect(differing(p1, p2) == 0, "\(shape)")
                #expect(differing(v1, v2) == 0, "\(shape)")
                #expect(differing(g1, g2) == 0, "\(shape)")
            }
        }
    }
}

/// How many elements of a and b differ in their bits (a count, so a failure prints one number).
func differing(_ a: [Float], _ b: [Float]) -> Int {
    a.count != b.count ? max(a.count, b.count) : zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count
}
