/// How much arithmetic one run of a config is, so a plan can estimate how long a sweep takes
/// from the engine's measured speed.
extension RunConfig {
    /// Multiply-adds of one example through the network's dense layers.
    /// (A file dataset's shape is known only once loaded: MNIST's stands in for it.)
    public var multiplyAddsPerExample: Double {
        let shape = dataset.shape ?? .mnist
        let sizes: [Int] = [shape.inputs] + hidden + [shape.classes]
        return (0..<(sizes.count - 1)).reduce(0) { $0 + Double(sizes[$1]) * Double(sizes[$1 + 1]) }
    }

    /// Floating-point operations of the whole run at its full epochs: per training example a
    /// forward, an input-gradient and a weight-gradient product (3 x 2 FLOPs a multiply-add),
    /// per evaluated example a forward (test set, the 10,000-example training sample and the
    /// validation split, every epoch). Element-wise passes and the optimizer are left out, as
    /// the speed they are divided by is measured on whole epochs that include them.
    public var estimatedFLOPs: Double {
        let shape = dataset.shape ?? .mnist
        let train = Double(trainSubset ?? shape.trainCount - validation)
        let evaluated = Double(testSubset ?? shape.testCount) + min(train, 10_000) + Double(validation)
        return Double(epochs) * multiplyAddsPerExample * (6 * train + 2 * evaluated)
    }
}
