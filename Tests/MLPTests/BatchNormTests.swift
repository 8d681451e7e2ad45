import Testing
@testable import MLP
import Vocabulary

/// BatchNorm1d in the engine against the Double reference network: gradients in training mode
/// (batch statistics) by central finite differences, running statistics as PyTorch updates
/// them, and evaluation with the running estimates.
@Suite struct BatchNorm {
    func trainer(_ activation: Activation, dropout: Float, rows: Int) -> Trainer {
        Trainer(shape: NetworkShape(inputs: 6, hidden: [5, 4], classes: 3, batchNorm: true),
                hyper: .init(activation: activation, dropout: dropout, lr: 0.1, momentum: 0, batchSize: rows, seed: 42))
    }

    /// Tolerance as the plain network's checks (2e-5 + 1e-3 |fd|), with γ and β perturbed
    /// away from 1 and 0 first so their gradients are not special.
    @Test(arguments: Activation.allCases, [0, 0.5] as [Float])
    func gradientsInTrainingMode(activation: Activation, dropout: Float) {
        let rows = 5
        let trainer = trainer(activation, dropout: dropout, rows: rows)
        let shape = trainer.shape
        var start = trainer.parameterValues
        for (k, i) in (shape.normOffset..<shape.parameterCount).enumerated() { start[i] += 0.1 * Float(k % 7) - 0.3 }
        trainer.parameterValues = start
        let inputs = values(rows * 6, seed: 3).map { ($0 + 1) / 2 }
        let labels: [Int32] = [0, 2, 1, 2, 0]
        let (loss, gradients, masks) = trainer.lossAndGradients(inputs: inputs, labels: labels)
        let p = start.map(Double.init), x = inputs.map(Double.init), y = labels.map(Int.init)
        let m = masks.map { $0.map(Double.init) }
        func f(_ q: [Double]) -> Double {
            Reference.loss(shape: shape, parameters: q, inputs: x, labels: y, masks: m, activation: activation)
        }
        #expect(abs(loss - f(p)) < 1e-5)
        let checked = checkGradients(gradients, at: p, of: f)
        // γ and β of both norms have gradients, and the check saw non-trivial ones.
        #expect(shape.parameterCount == (6 * 5 + 5) + (5 * 4 + 4) + (4 * 3 + 3) + 2 * (5 + 4))
        #expect(checked > shape.parameterCount / 2)
    }

    /// After one step the running mean and variance have moved 0.1 of the way to the batch's
    /// mean and unbiased variance (from 0 and 1); evaluation then uses them, not the batch's.
    @Test func runningStatisticsAndEvaluation() {
        let rows = 6
        let trainer = trainer(.tanh, dropout: 0, rows: rows)
        let shape = trainer.shape
        let pixels: [UInt8] = (0..<(rows * 6)).map { UInt8(($0 * 53 + 7) % 256) }
        let labels: [UInt8] = [0, 1, 2, 0, 1, 2]
        let before = trainer.parameterValues.map(Double.init)
        let x = pixels.map { Double(Float($0) / 255) }
        // The reference's pre-activations of layer 1 with the parameters the step started from.
        let layer = shape.layers[0]
        var expectedMean = [Double](repeating: 0, count: 5), expectedVar = expectedMean
        for o in 0..<5 {
            let column = (0..<rows).map { r in
                (0..<6).reduce(before[layer.biasOffset + o]) { $0 + x[r * 6 + $1] * before[layer.weightOffset + o * 6 + $1] }
            }
            let mean = column.reduce(0, +) / Double(rows)
            let unbiased = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(rows - 1)
            expectedMean[o] = 0.1 * mean
            expectedVar[o] = 0.9 + 0.1 * unbiased
        }
        _ = trainer.trainEpoch(pixels: pixels, labels: labels)   // one batch: one step
        let stats = trainer.state.runningStatistics.map(Double.init)
        #expect(close(Array(stats[0..<5]).map(Float.init), expectedMean.map(Float.init), atol: 1e-6, rtol: 1e-5))
        #expect(close(Array(stats[9..<14]).map(Float.init), expectedVar.map(Float.init), atol: 1e-6, rtol: 1e-5))

        // Evaluation with the running estimates, against the reference given the same ones.
        let running = [(Array(stats[0..<5]), Array(stats[9..<14])), (Array(stats[5..<9]), Array(stats[14..<18]))]
            .map { (mean: $0.0, variance: $0.1) }
        let reference = Reference.loss(shape: shape, parameters: trainer.parameterValues.map(Double.init), inputs: x,
                                       labels: labels.map(Int.init), masks: [], activation: .tanh, running: running)
        let engine = trainer.evaluate(pixels: pixels, labels: labels).meanLoss
        #expect(abs(engine - reference) < 1e-5)
        // ... and it differs from normalising with the batch's own statistics.
        let batchWise = Reference.loss(shape: shape, parameters: trainer.parameterValues.map(Double.init), inputs: x,
                                       labels: labels.map(Int.init), masks: [], activation: .tanh)
        #expect(abs(engine - batchWise) > 1e-3)
    }

    /// γ = 1 and β = 0 at the start, after the Linear parameters, whose draws are unchanged.
    @Test func layoutAndInitialisation() {
        let plain = NetworkShape(inputs: 6, hidden: [5, 4], classes: 3)
        let normed = NetworkShape(inputs: 6, hidden: [5, 4], classes: 3, batchNorm: true)
        #expect(normed.layers == plain.layers && normed.normOffset == plain.parameterCount)
        let a = Trainer(shape: plain, hyper: .init(activation: .relu, dropout: 0, lr: 0.1, momentum: 0, batchSize: 2, seed: 9))
        let b = Trainer(shape: normed, hyper: .init(activation: .relu, dropout: 0, lr: 0.1, momentum: 0, batchSize: 2, seed: 9))
        #expect(Array(b.parameterValues[0..<plain.parameterCount]) == a.parameterValues)
        let norms = Array(b.parameterValues[plain.parameterCount...])
        #expect(norms == [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0])
        #expect(NetworkShape(inputs: 6, hidden: [], classes: 3, batchNorm: true).norms.isEmpty)
    }
}

/// The network as forward and backward walk it.
@Suite struct LayerStack {
    @Test func theChaptersOrder() {
        let chapter = NetworkShape(inputs: 784, hidden: [512, 256], classes: 10, batchNorm: true)
        #expect(Layer.stack(chapter, activation: .relu, dropout: 0.5) == [
            .dense(0), .batchNorm(0), .activation(.relu), .dropout(0.5),
            .dense(1), .batchNorm(1), .activation(.relu), .dropout(0.5), .dense(2)])
        let seed = NetworkShape(inputs: 784, hidden: [512, 256], classes: 10)
        #expect(Layer.stack(seed, activation: .sigmoid, dropout: 0) == [
            .dense(0), .activation(.sigmoid), .dense(1), .activation(.sigmoid), .dense(2)])
        #expect(Layer.stack(NetworkShape(inputs: 4, hidden: [], classes: 2, batchNorm: true), activation: .relu, dropout: 0.5)
                == [.dense(0)])
    }
}
