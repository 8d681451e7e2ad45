import Testing
@testable import MLP
import Vocabulary

/// Adam and AdamW: the fused kernel against its Double twin written as torch/optim/adam.py and
/// adamw.py, and the engine's whole steps against the twin applied to the checked gradients.
@Suite struct AdamSteps {
    /// Several steps of the kernel on made-up gradients, Adam with coupled decay and AdamW:
    /// Float32 against Double, agreeing to Float32 rounding.
    @Test(arguments: [(0.0, false), (0.01, false), (0.01, true), (0.1, true)])
    func kernelMatchesTheReference(weightDecay: Double, decoupled: Bool) {
        let count = 37
        var p = values(count, seed: 1), m = [Float](repeating: 0, count: count), v = m
        var rp = p, rm = m, rv = v
        let adam = Optimizer.Adam(beta1: 0.9, beta2: 0.999, eps: 1e-8, decoupled: decoupled)
        for step in 1...5 {
            let g = values(count, seed: UInt64(10 + step)).map { $0 * 0.1 }
            let s = adam.scalars(step: UInt64(step), lr: 0.01, weightDecay: Float(weightDecay))
            Kernels.adam(parameters: &p, gradients: g, firstMoment: &m, secondMoment: &v, count: count, s)
            Reference.adam(parameters: &rp, gradients: g, exp_avg: &rm, exp_avg_sq: &rv, step: step,
                           lr: Double(Float(0.01)), beta1: 0.9, beta2: 0.999, eps: 1e-8,
                           weightDecay: Double(Float(weightDecay)), decoupled: decoupled)
        }
        #expect(close(p, rp, atol: 1e-6, rtol: 1e-5))
        #expect(close(m, rm, atol: 1e-7, rtol: 1e-5))
        #expect(close(v, rv, atol: 1e-9, rtol: 1e-5))
        // Five steps of about lr each moved the parameters: the check is not vacuous.
        let moved = zip(p, values(count, seed: 1)).map { abs($0 - $1) }
        #expect(moved.allSatisfy { $0 > 0 } && moved.reduce(0, +) / Float(count) > 0.01)
    }

    /// The first step of Adam moves each parameter by lr against the sign of its gradient
    /// (m̂ / √v̂ = g / |g|), PyTorch's well-known property: a check independent of the twin.
    @Test func firstStepIsLrTimesSign() {
        var p: [Float] = [1, 1, 1, 1], m = [Float](repeating: 0, count: 4), v = m
        let g: [Float] = [0.5, -2, 1e-3, -1e-2]
        Kernels.adam(parameters: &p, gradients: g, firstMoment: &m, secondMoment: &v, count: 4,
                     Optimizer.Adam().scalars(step: 1, lr: 0.01, weightDecay: 0))
        #expect(close(p, [0.99, 1.01, 0.99, 1.01], atol: 1e-6, rtol: 0))
    }

    /// AdamW shrinks a parameter whose gradient is zero by (1 - lr·λ) each step; Adam with
    /// coupled decay moves it by about lr (the decay is its whole gradient).
    @Test func decoupledAndCoupledDecayDiffer() {
        var pw: [Float] = [2], mw: [Float] = [0], vw: [Float] = [0]
        var pa: [Float] = [2], ma: [Float] = [0], va: [Float] = [0]
        Kernels.adam(parameters: &pw, gradients: [0], firstMoment: &mw, secondMoment: &vw, count: 1,
                     Optimizer.Adam(decoupled: true).scalars(step: 1, lr: 0.1, weightDecay: 0.5))
        Kernels.adam(parameters: &pa, gradients: [0], firstMoment: &ma, secondMoment: &va, count: 1,
                     Optimizer.Adam(decoupled: false).scalars(step: 1, lr: 0.1, weightDecay: 0.5))
        #expect(abs(pw[0] - 2 * (1 - 0.05)) < 1e-6)
        #expect(abs(pa[0] - 1.9) < 1e-6)
    }

    /// Two training steps of the engine (one batch each) against the twin applied to the
    /// gradients the gradient checks vouch for; the moments and the step count as well.
    @Test(arguments: [(0.0, false), (0.01, false), (0.01, true)])
    func engineStepsMatchTheReference(weightDecay: Double, decoupled: Bool) {
        let shape = NetworkShape(inputs: 700, hidden: [90, 20], classes: 5)
        var hyper = Trainer.Hyperparameters(activation: .relu, dropout: 0, lr: 0.001, momentum: 0, batchSize: 8, seed: 11)
        hyper.optimizer = .adam(.init(decoupled: decoupled))
        hyper.weightDecay = Float(weightDecay)
        let pixels: [UInt8] = (0..<5600).map { (i: Int) -> UInt8 in UInt8((i * 89 + i / 700 * 13) % 256) }
        let labels: [UInt8] = [0, 1, 2, 3, 4, 0, 1, 2]
        let inputs = pixels.map { Float($0) / 255 }, labels32 = labels.map(Int32.init)
        let trained = Trainer(shape: shape, hyper: hyper), reference = Trainer(shape: shape, hyper: hyper)
        var p = reference.parameterValues
        var m = [Float](repeating: 0, count: p.count), v = m
        for step in 1...2 {
            _ = trained.trainEpoch(pixels: pixels, labels: labels)
            reference.parameterValues = p
            let g = reference.lossAndGradients(inputs: inputs, labels: labels32).gradients
            Reference.adam(parameters: &p, gradients: g, exp_avg: &m, exp_avg_sq: &v, step: step,
                           lr: Double(Float(0.001)), beta1: 0.9, beta2: 0.999, eps: 1e-8,
                           weightDecay: Double(Float(weightDecay)), decoupled: decoupled)
        }
        #expect(close(trained.parameterValues, p, atol: 2e-6, rtol: 1e-4))
        #expect(close(trained.state.velocity, m, atol: 1e-6, rtol: 1e-4))
        #expect(close(trained.state.secondMoment, v, atol: 1e-9, rtol: 1e-4))
        #expect(trained.state.steps == 2)
    }

    /// A checkpointed Adam + batch norm trainer continues bit for bit: the moments, the step
    /// count and the running statistics are all in the state.
    @Test func restoringContinuesBitForBit() {
        let shape = NetworkShape(inputs: 20, hidden: [16, 8], classes: 4, batchNorm: true)
        var hyper = Trainer.Hyperparameters(activation: .relu, dropout: 0.3, lr: 0.01, momentum: 0, batchSize: 8, seed: 3)
        hyper.optimizer = .adam(.init(decoupled: true))
        hyper.weightDecay = 0.01
        let pixels = (0..<(50 * 20)).map { UInt8(($0 * 37) % 256) }
        let labels = (0..<50).map { UInt8($0 % 4) }
        let straight = Trainer(shape: shape, hyper: hyper)
        _ = straight.trainEpoch(pixels: pixels, labels: labels)
        let saved = straight.state
        #expect(saved.steps == 7 && saved.secondMoment.count == shape.parameterCount)
        #expect(saved.runningStatistics.count == 2 * (16 + 8))
        _ = straight.trainEpoch(pixels: pixels, labels: labels)
        let resumed = Trainer(shape: shape, hyper: hyper)
        #expect(resumed.restore(saved))
        _ = resumed.trainEpoch(pixels: pixels, labels: labels)
        #expect(resumed.state == straight.state)
        #expect(resumed.evaluate(pixels: pixels, labels: labels).meanLoss
                == straight.evaluate(pixels: pixels, labels: labels).meanLoss)
        // A state without the moments (an SGD run's) does not fit an Adam trainer.
        var sgdState = saved
        sgdState.secondMoment = []
        #expect(!Trainer(shape: shape, hyper: hyper).restore(sgdState))
    }
}

/// Adam's fused AVX-512 weight step against the portable one (BLAS gradient, then
/// `Kernels.adam`), inside the AVX-512 path against its naive twin (which takes the portable
/// step): the same bits, as for SGD, with and without batch norm and decay.
@Suite struct FusedAdam {
    @Test(arguments: [(false, 0.0, false), (true, 0.01, true), (false, 0.01, false)], [Trainer.KernelPath.avx512, .avx2].filter(\.runsHere))
    func sameBitsAsThePortablePath(_ options: (batchNorm: Bool, weightDecay: Double, decoupled: Bool),
                                   _ path: Trainer.KernelPath) throws {
        let (batchNorm, weightDecay, decoupled) = options
        let shape = NetworkShape(inputs: 700, hidden: [90, 20], classes: 5, batchNorm: batchNorm)   // Wᵀ widths 90 = 48 + 42, 20, 5: every panel shape; 700 rows = 87 · 8 + 4
        var hyper = Trainer.Hyperparameters(activation: .relu, dropout: 0.5, lr: 0.01, momentum: 0, batchSize: 8, seed: 4)
        hyper.optimizer = .adam(.init(decoupled: decoupled))
        hyper.weightDecay = Float(weightDecay)
        let pixels: [UInt8] = (0..<(700 * 30)).map { (i: Int) -> UInt8 in UInt8((i * 89 + i / 700 * 13) % 256) }
        let labels: [UInt8] = (0..<30).map { UInt8($0 % 5) }
        let fused = Trainer(shape: shape, hyper: hyper, kernels: path)
        let portable = Trainer(shape: shape, hyper: hyper, kernels: .naive)
        for _ in 0..<2 {
            _ = fused.trainEpoch(pixels: pixels, labels: labels)
            _ = portable.trainEpoch(pixels: pixels, labels: labels)
        }
        #expect(differing(fused.state.parameters, portable.state.parameters) == 0)
        #expect(differing(fused.state.secondMoment, portable.state.secondMoment) == 0)
        #expect(fused.state.parameters != Trainer(shape: shape, hyper: hyper).parameterValues)
    }
}
