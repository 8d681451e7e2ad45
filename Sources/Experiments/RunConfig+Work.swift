/// How much arithmetic one run of a config is, so a plan can estimate how long a sweep takes
/// from the engine's measured speed.
extension RunConfig {
    /// Multiply-adds of one example through the network's dense layers.
    public var multiplyAddsPerExample: Double {
        let sizes = [dataset.inputs] + hidden + [dataset.classes]
        return (0..<(sizes.count - 1)).reduce(0) { $0 + Double(sizes[$1]) * Double(sizes[$1 + 1]) }
    }

    /// Floating-point operations of the whole run at its full epochs: per training example a
    /// forward, an input-gradient and a weight-gradient product (3 x 2 FLOPs a multiply-add),
    /// per evaluated example a forward (test set, the 10,000-example training sample and the
    /// validation split, every epoch). Element-wise passes and the optimizer are left out, as
    /// the speed they are divided by is measured on whole epochs that include them.
    public var estimatedFLOPs: Double {
        let train = Double(trainSubset ?? dataset.trainCount - validation)
        let evaluated = Double(testSubset ?? dataset.testCount) + min(train, 10_000) + Double(validation)
        return Double(epochs) * multiplyAddsPerExample * (6 * train + 2 * evaluated)
    }
}
