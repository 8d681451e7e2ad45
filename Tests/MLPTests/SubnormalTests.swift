import Testing
@testable import MLP

/// A value the optimiser cannot see through, so the arithmetic on it happens at run time.
@inline(never) func opaque(_ x: Float) -> Float { x }

@Suite struct SubnormalFlushing {
    #if arch(x86_64)
    /// Inside `around`, a result below the smallest normal float is zero; outside (before and
    /// after) it is the subnormal IEEE arithmetic gives.
    @Test func aroundFlushesAndRestores() {
        let half = { opaque(Float.leastNormalMagnitude) * opaque(0.5) }
        #expect(half().isSubnormal)
        #expect(SubnormalFlush.around { half() } == 0)
        #expect(half().isSubnormal)
    }
    #endif

    /// A weight whose gradient becomes zero has its velocity halved every step
    /// (momentum 0.5) through the subnormal range. Training never leaves a subnormal velocity:
    /// it becomes exactly zero instead. (Without the flush, 23 of the 200 steps leave some.)
    @Test(arguments: availableKernelPaths)
    func velocityDecaysToZeroWithoutSubnormals(_ kernels: Trainer.KernelPath) {
        let shape = NetworkShape(inputs: 2, hidden: [], classes: 2)
        let trainer = Trainer(shape: shape, hyper: .init(activation: .relu, dropout: 0, lr: 0.01, momentum: 0.5,
                                                         batchSize: 1, seed: 1), kernels: kernels)
        _ = trainer.trainEpoch(pixels: [255, 0], labels: [0])   // the first input's weights move
        var sawZero = false
        for _ in 0..<200 {
            _ = trainer.trainEpoch(pixels: [0, 255], labels: [1])   // ...then their gradient is 0
            let v = trainer.state.velocity
            #expect(!v.contains { $0.isSubnormal })
            sawZero = sawZero || v[0] == 0
        }
        #expect(sawZero)
    }
}
