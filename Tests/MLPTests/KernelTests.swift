import Testing
@testable import MLP
import Vocabulary

/// Deterministic test data in [-1, 1).
func values(_ count: Int, seed: UInt64) -> [Float] {
    var rng = RandomStream(seed: seed, purpose: .initialization)
    return (0..<count).map { _ in rng.nextUnitFloat() * 2 - 1 }
}

/// |a - b| <= atol + rtol * |b| for every element.
func close(_ a: [Float], _ b: [Float], atol: Float, rtol: Float) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= atol + rtol * abs($1) }
}

@Suite struct FastKernelsMatchNaive {
    /// BLAS against the naive triple loop, for every transpose the engine uses and more.
    /// Tolerance: Float32 sums of k ≤ 70 products of numbers ≤ 1 agree to ~1e-5 absolute.
    @Test(arguments: [(false, true), (true, false), (false, false), (true, true)])
    func sgemm(transA: Bool, transB: Bool) {
        let (m, n, k) = (7, 13, 70)
        let a = values(m * k, seed: 1), b = values(k * n, seed: 2)
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
                               a: pa.baseAddress!, lda: transA ? m : k, b: pb.baseAddress!, ldb: transB ? k : n,
                               beta: 0, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        #expect(close(c, Reference.matmul(a, b, transA: transA, transB: transB, m: m, n: n, k: k),
                      atol: 1e-5, rtol: 1e-5))
    }

    /// Batch assembly against the naive rule: the chosen rows, in order, each byte v as
    /// Float(v) / 255 (ToTensor's scaling); 37 features: two 16-pixel blocks and 5 single ones.
    @Test func gatherScalesTheChosenRows() {
        let (examples, features) = (6, 37)
        var pixels = (0..<(examples * features)).map { UInt8(($0 * 53 + 11) % 256) }
        pixels[4 * features + 3] = 255; pixels[4 * features + 33] = 0   // both ends, in a block and alone
        let labels: [UInt8] = [9, 8, 7, 6, 5, 4]
        let indices = [4, 0, 4, 2]
        var out = [Float](repeating: -1, count: indices.count * features)
        var outLabels = [Int32](repeating: -1, count: indices.count)
        Kernels.gather(pixels: pixels, labels: labels, indices: indices, rows: indices.count, features: features,
                       out: &out, outLabels: &outLabels)
        let expected = indices.flatMap { i in (0..<features).map { Float(pixels[i * features + $0]) / 255 } }
        #expect(out == expected)
        #expect(outLabels == [5, 9, 5, 7])
    }

    /// With normalisation: (Float(v) / 255 - mean) / std in Float32, as transforms.Normalize.
    @Test func gatherNormalizes() {
        let (examples, features) = (3, 37)
        let pixels = (0..<(examples * features)).map { UInt8(($0 * 97 + 5) % 256) }
        let labels: [UInt8] = [1, 2, 3]
        let indices = [2, 0]
        var out = [Float](repeating: -1, count: indices.count * features)
        var outLabels = [Int32](repeating: -1, count: indices.count)
        let (mean, std): (Float, Float) = (0.1307, 0.3081)
        Kernels.gather(pixels: pixels, labels: labels, indices: indices, rows: indices.count, features: features,
                       out: &out, outLabels: &outLabels, mean: mean, std: std)
        let expected = indices.flatMap { i in (0..<features).map { (Float(pixels[i * features + $0]) / 255 - mean) / std } }
        #expect(out == expected)
    }

    @Test(arguments: Activation.allCases)
    func biasActivationWithoutDropout(_ f: Activation) {
        let (rows, n) = (5, 9)
        var z = values(rows * n, seed: 3).map { $0 * 4 }
        let input = z
        let bias = values(n, seed: 4)
        var mask = [Float](), out = [Float]()
        var rng = RandomStream(seed: 1, purpose: .dropout)
        Kernels.biasActivateDropout(z: &z, bias: bias, rows: rows, n: n, activation: f, p: 0,
                                    rng: &rng, mask: &mask, out: &out)
        let expected = (0..<(rows * n)).map { Float(Reference.activate(Double(input[$0] + bias[$0 % n]), f)) }
        #expect(close(z, expected, atol: 1e-6, rtol: 1e-6))
    }

    /// With dropout, each activation is computed eight columns at a time: the same bits as the
    /// pass without dropout, for every activation, odd widths included; out = h * mask.
    @Test(arguments: Activation.allCases, [17, 64, 7])
    func dropoutPassActivatesAsThePlainPass(_ f: Activation, n: Int) {
        let rows = 3
        let input = values(rows * n, seed: 7).map { $0 * 3 }
        let bias = values(n, seed: 8)
        var plain = input, withDropout = input
        var mask = [Float](repeating: -1, count: rows * n), out = mask, unusedMask = mask, unusedOut = mask
        var rng = RandomStream(seed: 2, purpose: .dropout), naive = rng
        Kernels.biasActivateDropout(z: &plain, bias: bias, rows: rows, n: n, activation: f, p: 0,
                                    rng: &rng, mask: &unusedMask, out: &unusedOut)
        Kernels.biasActivateDropout(z: &withDropout, bias: bias, rows: rows, n: n, activation: f, p: 0.25,
                                    rng: &rng, mask: &mask, out: &out)
        #expect(withDropout.map(\.bitPattern) == plain.map(\.bitPattern))
        #expect(mask == Reference.dropoutMasks(rows: rows, n: n, p: 0.25, rng: &naive))
        #expect(out == zip(plain, mask).map { $0 * $1 })
    }

    /// Masks are 0 or 1/(1-p), exactly the draws of the naive rule from the same stream (which
    /// then stands where the kernel left it); kept fraction within 7 standard deviations of 1-p;
    /// out = h * mask.
    @Test(arguments: [0.1, 0.5, 0.9, 0.3] as [Float])
    func dropoutMaskAndScale(p: Float) {
        let (rows, n) = (200, 501)   // odd n: the last column of a row takes a word's first draw
        var z = values(rows * n, seed: 5)
        let input = z
        let bias = [Float](repeating: 0.25, count: n)
        var mask = [Float](repeating: -1, count: rows * n), out = [Float](repeating: -1, count: rows * n)
        var rng = RandomStream(seed: 9, purpose: .dropout), naive = rng
        Kernels.biasActivateDropout(z: &z, bias: bias, rows: rows, n: n, activation: .relu, p: p,
                                    rng: &rng, mask: &mask, out: &out)
        #expect(mask == Reference.dropoutMasks(rows: rows, n: n, p: p, rng: &naive))
        #expect(rng.state == naive.state)
        let scale = 1 / (1 - p)
        #expect(mask.allSatisfy { $0 == 0 || $0 == scale })
        let kept = Double(mask.filter { $0 != 0 }.count) / Double(mask.count)
        let sd = (Double(p) * Double(1 - p) / Double(mask.count)).squareRoot()
        #expect(abs(kept - Double(1 - p)) < 7 * sd, "kept \(kept)")
        let h = input.map { max(0, $0 + 0.25) }
        #expect(z == h)
        #expect(out == zip(h, mask).map { $0 * $1 })
    }

    @Test(arguments: Activation.allCases)
    func backwardThroughActivationAndDropout(_ f: Activation) {
        let count = 40
        let h = values(count, seed: 6).map { f == .sigmoid ? ($0 + 1) / 2 : $0 }
        let mask = (0..<count).map { $0 % 3 == 0 ? Float(0) : 2 }
        let dA = values(count, seed: 7)
        var withMask = dA, withoutMask = dA
        Kernels.activationDropoutBackward(&withMask, h: h, mask: mask, count: count, activation: f)
        Kernels.activationDropoutBackward(&withoutMask, h: h, mask: nil, count: count, activation: f)
        let d = h.map { f.derivative(output: $0) }
        #expect(close(withMask, (0..<count).map { dA[$0] * mask[$0] * d[$0] }, atol: 1e-7, rtol: 1e-6))
        #expect(close(withoutMask, (0..<count).map { dA[$0] * d[$0] }, atol: 1e-7, rtol: 1e-6))
    }

    @Test func sgdMomentumMatchesPyTorchRule() {
        let n = 50
        var p = values(n, seed: 8), v = [Float](repeating: 0, count: n)
        var refP = p, refV = v
        for step in 0..<3 {
            let g = values(n, seed: 20 + UInt64(step))
            Kernels.sgdMomentum(parameters: &p, gradients: g, velocity: &v, count: n, lr: 0.01, momentum: 0.5)
            Reference.sgdMomentum(parameters: &refP, gradients: g, velocity: &refV, lr: 0.01, momentum: 0.5)
            if step == 0 { #expect(v == g, "first step: buf = grad") }
        }
        #expect(p == refP && v == refV)
    }

    @Test func columnSums() {
        let m = values(6 * 4, seed: 10)
        var out = [Float](repeating: 9, count: 4)
        Kernels.columnSums(m, rows: 6, n: 4, into: &out)
        let expected = (0..<4).map { j in (0..<6).reduce(Float(0)) { $0 + m[$1 * 4 + j] } }
        #expect(close(out, expected, atol: 1e-6, rtol: 1e-6))
    }

    @Test func softmaxCrossEntropyLossAndGradient() {
        let (rows, classes) = (4, 5)
        let logits = values(rows * classes, seed: 11).map { $0 * 3 }
        let labels: [Int32] = [0, 4, 2, 2]
        var delta = [Float](repeating: 0, count: rows * classes)
        let result = Kernels.softmaxCrossEntropy(logits: logits, labels: labels, rows: rows, classes: classes,
                                                 delta: &delta, scale: 1 / Float(rows))
        let ref = Reference.meanNLL(logits.map(Double.init), labels: labels.map(Int.init), classes: classes)
        #expect(abs(result.lossSum / Double(rows) - ref) < 1e-6)
        // Central differences of the Double reference; Float gradients agree to ~1e-6.
        for i in 0..<(rows * classes) {
            var plus = logits.map(Double.init), minus = plus
            plus[i] += 1e-6
            minus[i] -= 1e-6
            let fd = (Reference.meanNLL(plus, labels: labels.map(Int.init), classes: classes)
                      - Reference.meanNLL(minus, labels: labels.map(Int.init), classes: classes)) / 2e-6
            #expect(abs(Double(delta[i]) - fd) < 1e-6, "logit \(i)")
        }
    }

    @Test func initializationFollowsNNLinear() {
        let shape = NetworkShape(inputs: 784, hidden: [512, 256], classes: 10)
        #expect(shape.parameterCount == 784 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10)
        let trainer = Trainer(shape: shape, hyper: .init(activation: .relu, dropout: 0, lr: 0.01, momentum: 0.5,
                                                         batchSize: 32, seed: 1))
        let p = trainer.parameterValues
        for layer in shape.layers {
            let bound = 1 / Float(layer.inputs).squareRoot()
            let slice = p[layer.weightOffset..<(layer.biasOffset + layer.outputs)]
            #expect(slice.allSatisfy { abs($0) <= bound })
            // Uniform on ±bound has |x| mean bound/2.
            let meanAbs = slice.reduce(0) { $0 + Double(abs($1)) } / Double(slice.count)
            #expect(abs(meanAbs - Double(bound) / 2) < Double(bound) * 0.05)
        }
    }
}
