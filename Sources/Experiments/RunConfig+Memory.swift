/// How much memory one run of a config needs, so a plan can refuse a run that cannot fit
/// before anything is allocated.
extension RunConfig {
    /// Rows per evaluation batch in the engine (`Trainer.Hyperparameters.evalBatchSize`).
    public static let evaluationBatch = 1000

    /// Bytes the engine allocates for this run, plus the checkpoint it writes each epoch
    /// (the dataset itself is shared by every run and not counted). Computed in floating
    /// point, so no size can overflow.
    ///
    /// Float32 buffers: parameters, gradients and velocity (3P); the input batch and every
    /// layer's outputs at max(batch, evaluation batch) rows; dropout masks and dropped
    /// activations of the hidden layers (2 x batch x hidden units); every layer's deltas
    /// (batch x outputs); the shuffled order (8 bytes an example). A checkpoint holds the
    /// parameters and velocity twice while it is encoded (16P bytes). Adam adds its second
    /// moments (P, and 2P in the checkpoint); BatchNorm the normalised activations
    /// (batch x hidden units) and per-unit statistics. The run's copies of
    /// pixels: its training split when validation is held out, and the evaluation sample.
    /// A file dataset's shape is known only once it is loaded: plans check a run of one then
    /// (`estimatedBytes(inputs:classes:trainCount:bytesPerInput:)`); here MNIST's stands in.
    public var estimatedBytes: Double {
        let shape = dataset.shape ?? .mnist
        return estimatedBytes(inputs: shape.inputs, classes: shape.classes, trainCount: shape.trainCount, bytesPerInput: 1)
    }

    /// The same for data of this shape: `bytesPerInput` 1 for pixels kept as bytes, 4 for float
    /// features (a run's copies of its training split and evaluation sample).
    public func estimatedBytes(inputs: Int, classes: Int, trainCount: Int, bytesPerInput: Double) -> Double {
        struct Shape { var inputs: Int; var classes: Int; var trainCount: Int }
        let shape = Shape(inputs: inputs, classes: classes, trainCount: trainCount)
        let sizes = [shape.inputs] + hidden + [shape.classes]
        var parameters = 0.0
        for l in 0..<(sizes.count - 1) { parameters += Double(sizes[l] + 1) * Double(sizes[l + 1]) }
        let batch = Double(batchSize)
        let capacity = max(batch, Double(RunConfig.evaluationBatch))
        let outputs = Double(sizes.dropFirst().reduce(0, +))
        let hiddenUnits = Double(hidden.reduce(0, +))
        var floats = 3 * parameters + capacity * (Double(shape.inputs) + outputs) + batch * outputs
        if dropout > 0 { floats += 2 * batch * hiddenUnits }
        // Adam's second moments (and in the checkpoint); BatchNorm's normalised activations.
        if optimizer != .sgd { floats += parameters + 2 * parameters }
        if batchNorm { floats += batch * hiddenUnits + 8 * hiddenUnits }
        let examples = Double(trainSubset ?? shape.trainCount - validation)
        // Per-run copies of pixels: the training split without its validation examples, and
        // the training-evaluation sample (`ValidationSplit`).
        let pixels = bytesPerInput * Double(shape.inputs) * ((validation > 0 ? Double(shape.trainCount) : 0) + min(examples, 10_000))
        return 4 * floats + 16 * parameters + 8 * examples + 4 * capacity + pixels
    }
}
