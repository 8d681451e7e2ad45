import Foundation
import Testing
@testable import MLP
import Vocabulary

/// One run on several threads gives the same bits as on one (issue 24, item 2): the products
/// and weight steps are split into blocks of whole elements, each summed as on one thread.
@Suite struct ThreadsTests {
    static let shape = NetworkShape(inputs: 300, hidden: [256, 200], classes: 10)

    /// Two epochs of `optimizer` on `threads` threads: the state and the evaluation after them.
    func train(threads: Int, adam: Bool) -> (Trainer.State, Trainer.Evaluation) {
        var hyper = Trainer.Hyperparameters(activation: .relu, dropout: 0.3, lr: adam ? 0.001 : 0.05, momentum: 0.9,
                                            batchSize: 64, evalBatchSize: 500, seed: 21)
        hyper.inputDropout = 0.2
        hyper.maxNorm = [2, 2, 3]
        if adam { hyper.optimizer = .adam(.init(decoupled: true)) }
        let trainer = Trainer(shape: Self.shape, hyper: hyper, threads: threads)
        let count = 640
        let features = values(count * 300, seed: 13)
        let labels = (0..<count).map { UInt8(($0 * 7) % 10) }
        for _ in 0..<2 { _ = trainer.trainEpoch(features: features, labels: labels) }
        return (trainer.state, trainer.evaluate(features: features, labels: labels))
    }

    @Test(arguments: [false, true])
    func anyNumberOfThreadsGivesTheSameBits(adam: Bool) {
        let (one, eval) = train(threads: 1, adam: adam)
        for threads in [2, 3] {
            let (state, e) = train(threads: threads, adam: adam)
            #expect(state.parameters.map(\.bitPattern) == one.parameters.map(\.bitPattern), "\(threads) threads")
            #expect(state.velocity.map(\.bitPattern) == one.velocity.map(\.bitPattern))
            #expect(state.secondMoment.map(\.bitPattern) == one.secondMoment.map(\.bitPattern))
            #expect(e.meanLoss.bitPattern == eval.meanLoss.bitPattern && e.accuracy == eval.accuracy)
        }
        // The layers were large enough to be split (else the test would prove nothing).
        let trainer = Trainer(shape: Self.shape, hyper: .init(activation: .relu, dropout: 0, lr: 0.1, momentum: 0, batchSize: 64, seed: 1),
                              threads: 3)
        #expect(trainer.threads == Trainer.KernelPath.fastest.vector.map { _ in 3 } ?? 1)
        #expect(trainer.blocks(work: 64 * 300 * 256, extent: 256) == 3)
    }

    /// The split's ranges cover every element once, at aligned cuts.
    @Test func rangesCoverTheExtentOnce() {
        let trainer = Trainer(shape: Self.shape, hyper: .init(activation: .relu, dropout: 0, lr: 0.1, momentum: 0, batchSize: 8, seed: 1),
                              kernels: .fastest, threads: 3)
        for extent in [1, 7, 48, 100, 1000, 1024] {
            var seen = [Int](repeating: 0, count: extent)
            let lock = NSLockLike()
            trainer.split(extent, into: 3, align: 8) { _, start, end in
                lock.locked { for i in start..<end { seen[i] += 1 } }
                #expect(start % 8 == 0)
            }
            #expect(seen.allSatisfy { $0 == 1 }, "extent \(extent)")
        }
    }
}

/// A minimal lock for the test's shared array.
final class NSLockLike: @unchecked Sendable {
    private var flag = pthread_mutex_t()
    init() { pthread_mutex_init(&flag, nil) }
    func locked(_ body: () -> Void) {
        pthread_mutex_lock(&flag)
        body()
        pthread_mutex_unlock(&flag)
    }
}

/// The blocks run with subnormals flushed as the caller does (the mode is per thread, and a
/// dispatch queue's threads were started in whatever mode their creator had): a weight gradient
/// whose products are subnormal has the same bits on 1 and 2 threads, and none subnormal.
@Suite struct ThreadsAndSubnormals {
    @Test func blocksFlushSubnormalsAsTheCallerDoes() {
        let shape = NetworkShape(inputs: 400, hidden: [512], classes: 10)
        // The first layer's weight gradient, xᵀ delta: products of inputs near 1e-37 are subnormal.
        func gradients(_ threads: Int) -> [Float] {
            let trainer = Trainer(shape: shape, hyper: .init(activation: .relu, dropout: 0, lr: 0.1, momentum: 0, batchSize: 8,
                                                             seed: 3), threads: threads)
            let inputs = values(8 * 400, seed: 4).map { $0 * 1e-37 }
            return trainer.lossAndGradients(inputs: inputs, labels: [0, 1, 2, 3, 4, 5, 6, 7]).gradients
        }
        let one = gradients(1), first = shape.layers[0]
        #expect(gradients(2).map(\.bitPattern) == one.map(\.bitPattern))
        // Flushed: no subnormal gradient anywhere, and some that would be are zero.
        #expect(!one.contains { $0.isSubnormal })
        #expect(one[first.weightOffset..<first.biasOffset].contains(0))
    }
}
