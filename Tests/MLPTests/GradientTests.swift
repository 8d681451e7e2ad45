import Foundation
import Testing
@testable import MLP
import Vocabulary

/// The engine's analytic gradients against central finite differences of the Double
/// reference network, for every activation, with and without dropout (the reference
/// reuses the masks the engine drew, so both compute the same function).
///
/// Tolerance: |engine - fd| <= 2e-5 + 1e-3 |fd|: the engine works in Float32 (about 1e-7
/// relative per operation over a few dozen operations); the differences are taken in
/// Double with h = 1e-6, accurate to about 1e-9.
/// Checks each gradient against the central difference of `f` at `p` (h = 1e-6), within
/// 2e-5 + 1e-3 |fd|; returns how many of the differences were not trivially small (> 1e-4).
func checkGradients(_ gradients: [Float], at p: [Double], of f: ([Double]) -> Double) -> Int {
    var checked = 0
    for i in p.indices {
        var plus = p, minus = p
        plus[i] += 1e-6
        minus[i] -= 1e-6
        let fd = (f(plus) - f(minus)) / 2e-6
        #expect(abs(Double(gradients[i]) - fd) <= 2e-5 + 1e-3 * abs(fd), "parameter \(i): \(gradients[i]) vs \(fd)")
        if abs(fd) > 1e-4 { checked += 1 }
    }
    return checked
}

@Suite struct GradientChecks {
    @Test(arguments: Activation.allCases, [0, 0.5] as [Float])
    func networkGradients(activation: Activation, dropout: Float) {
        let shape = NetworkShape(inputs: 6, hidden: [5, 4], classes: 3)
        let rows = 4
        let trainer = Trainer(shape: shape, hyper: .init(activation: activation, dropout: dropout, lr: 0.1,
                                                         momentum: 0, batchSize: rows, seed: 42))
        let inputs = values(rows * 6, seed: 3).map { ($0 + 1) / 2 }
        let labels: [Int32] = [0, 2, 1, 2]
        let (loss, gradients, masks) = trainer.lossAndGradients(inputs: inputs, labels: labels)
        #expect(masks.count == (dropout > 0 ? 2 : 0))

        let p = trainer.parameterValues.map(Double.init)
        let x = inputs.map(Double.init), y = labels.map(Int.init)
        let m = masks.map { $0.map(Double.init) }
        func f(_ q: [Double]) -> Double {
            Reference.loss(shape: shape, parameters: q, inputs: x, labels: y, masks: m, activation: activation)
        }
        #expect(abs(loss - f(p)) < 1e-5)
        #expect(checkGradients(gradients, at: p, of: f) > 0)
    }

    @Test func noHiddenLayerIsSoftmaxRegression() {
        let shape = NetworkShape(inputs: 3, hidden: [], classes: 2)
        let trainer = Trainer(shape: shape, hyper: .init(activation: .relu, dropout: 0.5, lr: 0.1, momentum: 0,
                                                         batchSize: 2, seed: 1))
        let inputs: [Float] = [0.1, 0.5, 0.9, 1, 0, 0.3]
        let (_, gradients, _) = trainer.lossAndGradients(inputs: inputs, labels: [1, 0])
        let p = trainer.parameterValues.map(Double.init)
        for i in 0..<shape.parameterCount {
            var plus = p, minus = p
            plus[i] += 1e-6
            minus[i] -= 1e-6
            let f = { (q: [Double]) in Reference.loss(shape: shape, parameters: q, inputs: inputs.map(Double.init),
                                                      labels: [1, 0], masks: [], activation: .relu) }
            #expect(abs(Double(gradients[i]) - (f(plus) - f(minus)) / 2e-6) < 2e-5)
        }
    }
}

@Suite struct Determinism {
    func train(seed: UInt64) -> [Float] {
        let shape = NetworkShape(inputs: 20, hidden: [16, 8], classes: 4)
        let trainer = Trainer(shape: shape, hyper: .init(activation: .sigmoid, dropout: 0.5, lr: 0.05,
                                                         momentum: 0.5, batchSize: 7, seed: seed))
        let pixels = (0..<(50 * 20)).map { UInt8(($0 * 37) % 256) }
        let labels = (0..<50).map { UInt8($0 % 4) }
        for _ in 0..<2 { _ = trainer.trainEpoch(pixels: pixels, labels: labels) }
        return trainer.parameterValues
    }

    @Test func sameSeedSameBits() {
        let a = train(seed: 5), b = train(seed: 5)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        #expect(a != train(seed: 6))
    }

    /// Two epochs straight equal one epoch, a save, a new trainer restored from it, one epoch.
    @Test func restoringAStateContinuesBitForBit() {
        let shape = NetworkShape(inputs: 20, hidden: [16, 8], classes: 4)
        let hyper = Trainer.Hyperparameters(activation: .tanh, dropout: 0.3, lr: 0.05, momentum: 0.5,
                                            batchSize: 7, seed: 3)
        let pixels = (0..<(50 * 20)).map { UInt8(($0 * 37) % 256) }
        let labels = (0..<50).map { UInt8($0 % 4) }
        let straight = Trainer(shape: shape, hyper: hyper)
        _ = straight.trainEpoch(pixels: pixels, labels: labels)
        let saved = straight.state
        _ = straight.trainEpoch(pixels: pixels, labels: labels)
        let resumed = Trainer(shape: shape, hyper: hyper)
        #expect(resumed.restore(saved))
        _ = resumed.trainEpoch(pixels: pixels, labels: labels)
        #expect(resumed.state == straight.state)
        #expect(!resumed.restore(Trainer.State(parameters: [1], velocity: [1], shuffleStream: [1, 2, 3, 4],
                                               dropoutStream: [1, 2, 3, 4])))
    }

    @Test func progressCanStopAnEpoch() {
        let trainer = Trainer(shape: NetworkShape(inputs: 4, hidden: [3], classes: 2),
                              hyper: .init(activation: .relu, dropout: 0, lr: 0.1, momentum: 0, batchSize: 4, seed: 1))
        let result = trainer.trainEpoch(pixels: [UInt8](repeating: 1, count: 40), labels: [UInt8](repeating: 0, count: 10)) { $0 < 4 }
        #expect(!result.completed)
    }

    @Test func streamsAreIndependent() {
        var a = RandomStream(seed: 1, purpose: .shuffle), b = RandomStream(seed: 1, purpose: .dropout)
        #expect((0..<4).map { _ in a.next() } != (0..<4).map { _ in b.next() })
    }

    @Test func partialLastBatchIsTrained() {
        let shape = NetworkShape(inputs: 4, hidden: [3], classes: 2)
        let trainer = Trainer(shape: shape, hyper: .init(activation: .relu, dropout: 0, lr: 0.1, momentum: 0,
                                                         batchSize: 4, seed: 1))
        var examplesSeen: [Int] = []
        let result = trainer.trainEpoch(pixels: [UInt8](repeating: 100, count: 10 * 4),
                                        labels: (0..<10).map { UInt8($0 % 2) }) { examplesSeen.append($0); return true }
        #expect(examplesSeen == [4, 8, 10])
        #expect(result.examples == 10)
    }
}

/// The kernel paths this CPU can run (AVX-512 and AVX2 only where the CPU has them).
let availableKernelPaths = Trainer.KernelPath.allCases.filter(\.runsHere)

/// The training step, on each kernel path (BLAS products and the weight-gradient GEMM in row
/// blocks, then p -= lr v; the engine's own products and fused weight pass, AVX-512 and AVX2;
/// their naive twins), against PyTorch's rule applied by the naive reference to the checked
/// gradients.
/// Tolerance 1e-6: the batch is summed in another order after shuffling (Float32 rounding).
@Suite struct FusedStep {
    @Test(arguments: Activation.allCases, availableKernelPaths)
    func twoStepsMatchTheReferenceRule(_ activation: Activation, _ kernels: Trainer.KernelPath) {
        let shape = NetworkShape(inputs: 700, hidden: [90, 20], classes: 5)   // several row blocks in layer 1
        let hyper = Trainer.Hyperparameters(activation: activation, dropout: 0, lr: 0.1, momentum: 0.5,
                                            batchSize: 8, seed: 11)
        let pixels: [UInt8] = (0..<5600).map { (i: Int) -> UInt8 in UInt8((i * 89 + i / 700 * 13) % 256) }
        let labels: [UInt8] = [0, 1, 2, 3, 4, 0, 1, 2]
        let inputs = pixels.map { Float($0) / 255 }
        let labels32 = labels.map(Int32.init)

        let trained = Trainer(shape: shape, hyper: hyper, kernels: kernels)
        let reference = Trainer(shape: shape, hyper: hyper)
        var p = reference.parameterValues
        var v = [Float](repeating: 0, count: p.count)
        for _ in 0..<2 {
            _ = trained.trainEpoch(pixels: pixels, labels: labels)   // one batch: one step
            reference.parameterValues = p
            let g = reference.lossAndGradients(inputs: inputs, labels: labels32).gradients
            Reference.sgdMomentum(parameters: &p, gradients: g, velocity: &v, lr: 0.1, momentum: 0.5)
        }
        #expect(close(trained.parameterValues, p, atol: 1e-6, rtol: 1e-5))
        #expect(close(trained.state.velocity, v, atol: 1e-6, rtol: 1e-5))
    }
}

/// The full SGD step (weight decay, Nesterov) through the engine against PyTorch's rule on the
/// checked gradients, in Double; and with neither, the same bits as the plain momentum kernel.
@Suite struct FullSGD {
    @Test(arguments: [(0.01, false), (0.0, true), (0.05, true)])
    func twoStepsMatchTheReferenceRule(weightDecay: Double, nesterov: Bool) {
        let shape = NetworkShape(inputs: 700, hidden: [90, 20], classes: 5)
        var hyper = Trainer.Hyperparameters(activation: .relu, dropout: 0, lr: 0.1, momentum: 0.9, batchSize: 8, seed: 11)
        hyper.weightDecay = Float(weightDecay)
        hyper.nesterov = nesterov
        let pixels: [UInt8] = (0..<5600).map { (i: Int) -> UInt8 in UInt8((i * 89 + i / 700 * 13) % 256) }
        let labels: [UInt8] = [0, 1, 2, 3, 4, 0, 1, 2]
        let inputs = pixels.map { Float($0) / 255 }, labels32 = labels.map(Int32.init)
        let trained = Trainer(shape: shape, hyper: hyper), reference = Trainer(shape: shape, hyper: hyper)
        var p = reference.parameterValues
        var v = [Float](repeating: 0, count: p.count)
        for _ in 0..<2 {
            _ = trained.trainEpoch(pixels: pixels, labels: labels)
            reference.parameterValues = p
            let g = reference.lossAndGradients(inputs: inputs, labels: labels32).gradients
            Reference.sgd(parameters: &p, gradients: g, velocity: &v, lr: 0.1, momentum: 0.9,
                          weightDecay: Double(Float(weightDecay)), nesterov: nesterov)
        }
        #expect(close(trained.parameterValues, p, atol: 1e-6, rtol: 1e-5))
        #expect(close(trained.state.velocity, v, atol: 1e-6, rtol: 1e-5))
    }

    @Test func withoutDecayOrNesterovItIsThePlainStep() {
        let g: [Float] = (0..<37).map { Float($0) * 0.37 - 5 }
        var p1: [Float] = (0..<37).map { Float($0) * 0.01 }, v1: [Float] = (0..<37).map { Float($0) * -0.02 }
        var p2 = p1, v2 = v1
        Kernels.sgdMomentum(parameters: &p1, gradients: g, velocity: &v1, count: 37, lr: 0.1, momentum: 0.9)
        Kernels.sgd(parameters: &p2, gradients: g, velocity: &v2, count: 37, lr: 0.1, momentum: 0.9, weightDecay: 0, nesterov: false)
        #expect(p1 == p2 && v1 == v2)
    }
}

@Suite struct FileOrder {
    /// With shuffling off, an epoch is the batches in file order: two steps equal the
    /// reference rule applied to batch 0, then batch 1 (what scripts/same-order.sh relies on).
    @Test func unshuffledEpochStepsThroughTheBatchesInOrder() {
        let shape = NetworkShape(inputs: 30, hidden: [12], classes: 3)
        let hyper = Trainer.Hyperparameters(activation: .sigmoid, dropout: 0, lr: 0.5, momentum: 0.5,
                                            batchSize: 4, seed: 2, shuffle: false)
        let pixels: [UInt8] = (0..<240).map { (i: Int) -> UInt8 in UInt8((i * 37 + i / 30) % 256) }
        let labels: [UInt8] = [0, 1, 2, 0, 2, 2, 1, 0]
        let trained = Trainer(shape: shape, hyper: hyper)
        let reference = Trainer(shape: shape, hyper: hyper)
        var p = reference.parameterValues
        var v = [Float](repeating: 0, count: p.count)
        _ = trained.trainEpoch(pixels: pixels, labels: labels)
        for batch in 0..<2 {
            reference.parameterValues = p
            let inputs = pixels[(batch * 120)..<((batch + 1) * 120)].map { Float($0) / 255 }
            let y = labels[(batch * 4)..<((batch + 1) * 4)].map(Int32.init)
            let g = reference.lossAndGradients(inputs: inputs, labels: y).gradients
            Reference.sgdMomentum(parameters: &p, gradients: g, velocity: &v, lr: 0.5, momentum: 0.5)
        }
        #expect(close(trained.parameterValues, p, atol: 1e-6, rtol: 1e-5))
    }
}

/// A regression network (linear outputs, mean squared error): the loss against the Double
/// reference, the gradients against its finite differences, and the evaluation's figures
/// against their definitions.
@Suite struct RegressionChecks {
    @Test(arguments: [Activation.relu, .tanh], [0, 0.5] as [Float])
    func squaredErrorGradients(activation: Activation, dropout: Float) {
        let shape = NetworkShape(inputs: 5, hidden: [6], classes: 2)
        let rows = 3
        var hyper = Trainer.Hyperparameters(activation: activation, dropout: dropout, lr: 0.1, momentum: 0,
                                            batchSize: rows, seed: 9)
        hyper.task = .regression
        let trainer = Trainer(shape: shape, hyper: hyper)
        let inputs = values(rows * 5, seed: 4)
        let targets: [Float] = [1.5, -2, 0.25, 3, -0.5, 7]
        let (loss, gradients, masks) = trainer.lossAndGradients(inputs: inputs, targets: targets)
        let m = masks.map { $0.map(Double.init) }
        func f(_ q: [Double]) -> Double {
            Reference.squaredErrorLoss(shape: shape, parameters: q, inputs: inputs.map(Double.init),
                                       targets: targets.map(Double.init), masks: m, activation: activation)
        }
        let p = trainer.parameterValues.map(Double.init)
        #expect(abs(loss - f(p)) < 1e-5 * max(1, f(p)))
        #expect(checkGradients(gradients, at: p, of: f) > 0)
    }

    @Test func evaluationFigures() {
        let shape = NetworkShape(inputs: 3, hidden: [4], classes: 2)
        var hyper = Trainer.Hyperparameters(activation: .tanh, dropout: 0.5, lr: 0.1, momentum: 0, batchSize: 4,
                                            evalBatchSize: 3, seed: 2)
        hyper.task = .regression
        let trainer = Trainer(shape: shape, hyper: hyper)
        let count = 7
        let features = values(count * 3, seed: 5)
        let targets = values(count * 2, seed: 6).map { $0 * 4 + 1 }
        let e = trainer.evaluate(features: features, targets: targets)
        // The same figures from the network's predictions, by their definitions.
        let o = trainer.predict(features: features).map(Double.init), t = targets.map(Double.init)
        let mse = zip(o, t).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(t.count)
        let mae = zip(o, t).reduce(0) { $0 + abs($1.0 - $1.1) } / Double(t.count)
        var r2 = 0.0
        for j in 0..<2 {
            let column = stride(from: j, to: t.count, by: 2)
            let mean = column.reduce(0) { $0 + t[$1] } / Double(count)
            let res = column.reduce(0) { $0 + (o[$1] - t[$1]) * (o[$1] - t[$1]) }
            let tot = column.reduce(0) { $0 + (t[$1] - mean) * (t[$1] - mean) }
            r2 += (1 - res / tot) / 2
        }
        #expect(abs(e.meanLoss - mse) < 1e-9 * max(1, mse))
        #expect(abs(e.rmse - mse.squareRoot()) < 1e-9 * max(1, mse))
        #expect(abs(e.mae - mae) < 1e-9 * max(1, mae))
        #expect(abs(e.r2 - r2) < 1e-9 * max(1, abs(r2)))
        // Training lowers the error from there: the loss trained is the one evaluated.
        for _ in 0..<200 { _ = trainer.trainEpoch(features: features, targets: targets) }
        #expect(trainer.evaluate(features: features, targets: targets).meanLoss < e.meanLoss)
    }
}

/// The dropout paper's recipe in the engine: input dropout (its own stream, the hidden layers'
/// draws), max-norm as PyTorch's renorm, and deepnet's per-step schedules.
@Suite struct PaperRecipe {
    @Test func inputDropoutIsTheReferenceMaskOnTheInputs() {
        let shape = NetworkShape(inputs: 7, hidden: [5], classes: 3)
        var hyper = Trainer.Hyperparameters(activation: .relu, dropout: 0.5, lr: 0.1, momentum: 0, batchSize: 4, seed: 11)
        hyper.inputDropout = 0.2
        let trainer = Trainer(shape: shape, hyper: hyper)
        let inputs = values(4 * 7, seed: 8).map { ($0 + 1) / 2 }
        let labels: [Int32] = [0, 2, 1, 1]
        let (loss, gradients, masks) = trainer.lossAndGradients(inputs: inputs, labels: labels)
        // The inputs the network saw: the reference masks from the input-dropout stream.
        var stream = RandomStream(seed: 11, purpose: .inputDropout)
        let inputMask = Reference.dropoutMasks(rows: 4, n: 7, p: 0.2, rng: &stream)
        #expect(inputMask.contains(0) && inputMask.contains(1.25))
        let seen = zip(inputs, inputMask).map { Double($0 * $1) }
        let m = masks.map { $0.map(Double.init) }
        func f(_ q: [Double]) -> Double {
            Reference.loss(shape: shape, parameters: q, inputs: seen, labels: labels.map(Int.init), masks: m, activation: .relu)
        }
        let p = trainer.parameterValues.map(Double.init)
        #expect(abs(loss - f(p)) < 1e-5)
        #expect(checkGradients(gradients, at: p, of: f) > 0)
        // The hidden layers' masks are drawn as without input dropout (a stream of their own).
        var plainHyper = hyper
        plainHyper.inputDropout = 0
        #expect(Trainer(shape: shape, hyper: plainHyper).lossAndGradients(inputs: inputs, labels: labels).masks == masks)
    }

    @Test func maxNormRescalesOnlyTheUnitsOverTheLimit() {
        let (inputs, outputs) = (5, 4)
        var w = values(inputs * outputs, seed: 3).map { $0 * 2 }  // Wᵀ [inputs, outputs]
        let before = w
        let norms = UnsafeMutablePointer<Double>.allocate(capacity: outputs)
        defer { norms.deallocate() }
        func norm(_ m: [Float], _ j: Int) -> Double { (0..<inputs).reduce(0.0) { $0 + Double(m[$1 * outputs + j]) * Double(m[$1 * outputs + j]) }.squareRoot() }
        let limit = Float((0..<outputs).map { norm(before, $0) }.sorted()[1])  // between the norms: some over, some not
        w.withUnsafeMutableBufferPointer { Kernels.limitColumnNorms($0.baseAddress!, inputs: inputs, outputs: outputs, limit: limit, norms: norms) }
        var scaled = 0
        for j in 0..<outputs {
            let n = norm(before, j)
            if n > Double(limit) {
                scaled += 1
                // PyTorch's renorm: the factor limit / (norm + 1e-7), rounded to Float, on every weight.
                let factor = Float(Double(limit) / (n + 1e-7))
                for i in 0..<inputs { #expect(w[i * outputs + j] == before[i * outputs + j] * factor) }
                #expect(abs(norm(w, j) - Double(limit)) < 1e-5)
            } else {
                for i in 0..<inputs { #expect(w[i * outputs + j] == before[i * outputs + j]) }
            }
        }
        #expect(scaled == 2)
    }

    @Test func aTrainedNetworkKeepsEveryUnitWithinItsLimit() {
        let shape = NetworkShape(inputs: 12, hidden: [10, 8], classes: 3)
        var hyper = Trainer.Hyperparameters(activation: .relu, dropout: 0, lr: 0.5, momentum: 0.9, batchSize: 8, seed: 4)
        hyper.maxNorm = [0.5, 0.7, 0.9]
        let trainer = Trainer(shape: shape, hyper: hyper)
        let features = values(40 * 12, seed: 9)
        let labels = (0..<40).map { UInt8($0 % 3) }
        _ = trainer.trainEpoch(features: features, labels: labels)
        let p = trainer.parameterValues
        for (layer, limit) in zip(shape.layers, hyper.maxNorm) {
            for unit in 0..<layer.outputs {
                let row = p[(layer.weightOffset + unit * layer.inputs)..<(layer.weightOffset + (unit + 1) * layer.inputs)]
                #expect(row.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() <= Double(limit) * (1 + 1e-6))
            }
        }
        // Without the constraint the same training leaves some unit over those limits.
        hyper.maxNorm = []
        let free = Trainer(shape: shape, hyper: hyper)
        _ = free.trainEpoch(features: features, labels: labels)
        let q = free.parameterValues, first = shape.layers[0]
        let largest = (0..<first.outputs).map { u in
            q[(first.weightOffset + u * first.inputs)..<(first.weightOffset + (u + 1) * first.inputs)].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        }.max()!
        #expect(largest > 0.5)
    }

    /// deepnet's per-step rates: after t steps the rate is lr / (1 + t / h) and momentum
    /// end − (end − m)·e^(−t/s): one step at a time, the same as a run of them.
    @Test func perStepSchedulesFollowTheStepCount() {
        let shape = NetworkShape(inputs: 4, hidden: [3], classes: 2)
        var hyper = Trainer.Hyperparameters(activation: .tanh, dropout: 0, lr: 0.2, momentum: 0.5, batchSize: 2, seed: 5)
        hyper.inverseTimeHalfLife = 3
        hyper.momentumApproach = (end: 0.9, steps: 4)
        let trainer = Trainer(shape: shape, hyper: hyper)
        let features = values(10 * 4, seed: 2), labels: [UInt8] = [0, 1, 1, 0, 1, 0, 0, 1, 1, 1]
        _ = trainer.trainEpoch(features: features, labels: labels)  // 5 steps: the 5th ran at t = 4
        #expect(trainer.hyper.lr == Float(0.2 / (1 + 4.0 / 3)))
        let approach: Double = 0.9 - (0.9 - 0.5) * Foundation.exp(-1.0)
        #expect(trainer.hyper.momentum == Float(approach))
        #expect(trainer.state.steps == 5)
    }
}
