import Testing
@testable import MLP
import MLPAVX512

/// The fused AVX-512 weight step against its naive twin, and against the portable BLAS path bit
/// for bit. Runs only on CPUs with AVX-512 (elsewhere the engine never calls it).
@Suite(.enabled(if: CPUFeatures.hasAVX512, "this CPU has no AVX-512"))
struct FusedAVX512WeightStep {
    /// Shapes that reach every part of the kernel: 6-row tiles and single rows (13 = 6 + 6 + 1),
    /// 32- and 16-column tiles and single columns (53 = 32 + 16 + 5), a batch of 5.
    /// Tolerance: Float32 sums of 5 products against the Double reference.
    @Test func matchesGradientThenPyTorchRule() {
        let (rows, outputs, inputs) = (5, 13, 53)
        let delta = values(rows * outputs, seed: 21), x = values(rows * inputs, seed: 22)
        var p = values(outputs * inputs, seed: 23), v = values(outputs * inputs, seed: 24).map { $0 / 10 }
        var expectedP = p, expectedV = v
        for _ in 0..<2 {
            let g = Reference.matmul(delta, x, transA: true, transB: false, m: outputs, n: inputs, k: rows)
            Reference.sgdMomentum(parameters: &expectedP, gradients: g, velocity: &expectedV, lr: 0.1, momentum: 0.9)
            weightStepAVX512(delta: delta, x: x, rows: rows, outputs: outputs, inputs: inputs,
                             parameters: &p, velocity: &v, lr: 0.1, momentum: 0.9)
        }
        #expect(close(v, expectedV, atol: 1e-5, rtol: 1e-5))
        #expect(close(p, expectedP, atol: 1e-5, rtol: 1e-5))
    }

    /// The seed's network, ReLU with dropout, three steps on 96 examples: the two paths leave the
    /// same parameters and velocity, bit for bit (so results do not depend on which one ran).
    /// Momentum 0.9, not the seed's 0.5: multiplying by 0.5 is exact, which would hide a
    /// difference in how v * momentum + gradient is rounded.
    @Test func sameBitsAsTheBLASPath() {
        let shape = NetworkShape(inputs: 784, hidden: [512, 256], classes: 10)
        let hyper = Trainer.Hyperparameters(activation: .relu, dropout: 0.5, lr: 0.01, momentum: 0.9,
                                            batchSize: 32, seed: 4)
        let pixels: [UInt8] = (0..<(96 * 784)).map { (i: Int) -> UInt8 in UInt8((i * 131 + i / 784 * 7) % 256) }
        let labels: [UInt8] = (0..<96).map { UInt8(($0 * 3) % 10) }
        let fused = Trainer(shape: shape, hyper: hyper, weightStep: .fusedAVX512)
        let blas = Trainer(shape: shape, hyper: hyper, weightStep: .blas)
        _ = fused.trainEpoch(pixels: pixels, labels: labels)
        _ = blas.trainEpoch(pixels: pixels, labels: labels)
        let differing = { (a: [Float], b: [Float]) in zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count }
        #expect(differing(fused.state.parameters, blas.state.parameters) == 0)
        #expect(differing(fused.state.velocity, blas.state.velocity) == 0)
        #expect(fused.state.parameters != Trainer(shape: shape, hyper: hyper).state.parameters)
    }
}
