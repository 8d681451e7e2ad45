import Testing
import Vocabulary
@testable import MLP

/// Weight initialisations: PyTorch's bounds and standard deviations, biases left as
/// nn.Linear's, and `default` drawing exactly what the engine drew before the others existed.
/// Statistical tolerances: 784 x 512 = 401,408 weights, so the sample std is within about 0.2%
/// of the true one; 2% leaves no room for a wrong gain (√2 vs 1 is 41%).
@Suite struct InitTests {
    let shape = NetworkShape(inputs: 784, hidden: [512], classes: 10)

    func initialized(_ scheme: WeightInit) -> [Float] {
        var values = [Float](repeating: 0, count: shape.parameterCount)
        var rng = RandomStream(seed: 7, purpose: .initialization)
        values.withUnsafeMutableBufferPointer { shape.initialize($0, rng: &rng, weights: scheme) }
        return values
    }

    func stats(_ v: ArraySlice<Float>) -> (mean: Double, std: Double, maxAbs: Double) {
        let n = Double(v.count)
        let mean = v.reduce(0.0) { $0 + Double($1) } / n
        let variance = v.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        return (mean, variance.squareRoot(), v.map { abs(Double($0)) }.max()!)
    }

    @Test(arguments: WeightInit.named.map(\.scheme))
    func weightsFollowPyTorchsFormula(_ scheme: WeightInit) {
        let values = initialized(scheme)
        let layer = shape.layers[0]
        let w = stats(values[layer.weightOffset..<layer.biasOffset])
        let (fanIn, fanOut) = (784.0, 512.0)
        let expectedStd: Double = switch scheme {
        case .default: 1 / fanIn.squareRoot() / 3.0.squareRoot()               // uniform ±1/√fan_in
        case .kaimingUniform, .kaimingNormal: 2.0.squareRoot() / fanIn.squareRoot()
        case .xavierUniform, .xavierNormal: (2 / (fanIn + fanOut)).squareRoot()
        default: .nan  // the paper's forms: below
        }
        #expect(abs(w.std / expectedStd - 1) < 0.02, "\(scheme): std \(w.std) vs \(expectedStd)")
        #expect(abs(w.mean) < 0.02 * expectedStd * 10)
        if scheme == .default || scheme == .kaimingUniform || scheme == .xavierUniform {
            let bound = expectedStd * 3.0.squareRoot()
            #expect(w.maxAbs <= bound * (1 + 1e-6) && w.maxAbs > bound * 0.999)
        } else {
            #expect(w.maxAbs > 4 * expectedStd)   // tails a uniform never has
        }
        // Biases: nn.Linear's uniform ±1/√fan_in whatever the weights.
        let b = values[layer.biasOffset..<(layer.biasOffset + layer.outputs)].map { abs(Double($0)) }.max()!
        #expect(b <= 1 / fanIn.squareRoot())
    }

    /// The dropout paper's forms: pylearn2's per-layer uniform `irange` (0: zeros), a fixed
    /// Gaussian, deepnet's σ/√fan_in Gaussian; biases 0.
    @Test func thePapersFormsDrawTheirBoundsAndStartBiasesAtZero() {
        let two = NetworkShape(inputs: 784, hidden: [512, 256], classes: 10)
        func draw(_ scheme: WeightInit) -> [Float] {
            var values = [Float](repeating: 1, count: two.parameterCount)
            var rng = RandomStream(seed: 7, purpose: .initialization)
            values.withUnsafeMutableBufferPointer { two.initialize($0, rng: &rng, weights: scheme) }
            return values
        }
        let uniform = draw(.uniform([0.05, 0.2, 0]))
        for (layer, bound) in zip(two.layers, [0.05, 0.2, 0.0]) {
            let w = stats(uniform[layer.weightOffset..<layer.biasOffset])
            if bound == 0 { #expect(w.maxAbs == 0) } else {
                #expect(w.maxAbs <= bound * (1 + 1e-6) && w.maxAbs > bound * 0.99 && abs(w.std / (bound / 3.0.squareRoot()) - 1) < 0.02)
            }
            #expect(uniform[layer.biasOffset..<(layer.biasOffset + layer.outputs)].allSatisfy { $0 == 0 })
        }
        let normal = draw(.normal([0.01]))
        let fanIn = draw(.normalFanIn([1]))
        let perLayer = draw(.normalFanIn([0.001, 1, 2]))
        for (layer, sigma) in zip(two.layers.prefix(2), [0.001, 1.0]) {
            let std = stats(perLayer[layer.weightOffset..<layer.biasOffset]).std
            #expect(abs(std / (sigma / Double(layer.inputs).squareRoot()) - 1) < 0.02)
        }
        for layer in two.layers.prefix(2) {
            #expect(abs(stats(normal[layer.weightOffset..<layer.biasOffset]).std / 0.01 - 1) < 0.02)
            let expected = 1 / Double(layer.inputs).squareRoot()
            #expect(abs(stats(fanIn[layer.weightOffset..<layer.biasOffset]).std / expected - 1) < 0.02)
            #expect(fanIn[layer.biasOffset..<(layer.biasOffset + layer.outputs)].allSatisfy { $0 == 0 })
        }
    }

    /// `default` is the engine's original loop: weights and biases from one uniform stream.
    @Test func defaultDrawsWhatTheEngineAlwaysDrew() {
        var rng = RandomStream(seed: 7, purpose: .initialization)
        var expected: [Float] = []
        for layer in shape.layers {
            let bound = 1 / Float(layer.inputs).squareRoot()
            for _ in layer.weightOffset..<(layer.biasOffset + layer.outputs) { expected.append((rng.nextUnitFloat() * 2 - 1) * bound) }
        }
        #expect(initialized(.default) == expected)
    }

    @Test func gaussianDraws() {
        var rng = RandomStream(seed: 3, purpose: .initialization)
        let n = 200_000
        let draws = (0..<n).map { _ in rng.nextGaussian() }
        let mean = draws.reduce(0, +) / Double(n)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        #expect(abs(mean) < 0.01 && abs(variance - 1) < 0.01)
        let finite = draws.allSatisfy { $0.isFinite }
        #expect(finite)
        // About 4.55% beyond two standard deviations.
        let beyond = Double(draws.filter { abs($0) > 2 }.count) / Double(n)
        #expect(abs(beyond - 0.0455) < 0.003)
    }
}
