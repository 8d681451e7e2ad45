#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// Trains one network: forward, backward and the optimizer on whole batches, with every buffer a step
/// needs allocated once, here. The only place in the project with hot loops.
///
/// Shapes (B = rows in the batch): input [B, sizes[0]], hidden activations [B, sizes[l]],
/// logits [B, classes]; all row-major Float32. The whole-epoch calls run with subnormal floats
/// flushed to zero (`SubnormalFlush`).
public final class Trainer {
    /// What a run sets.
    public struct Hyperparameters: Sendable {
        public var activation: Activation
        /// Dropout probability after each hidden activation, in [0, 1).
        public var dropout: Float
        public var lr: Float
        public var momentum: Float
        public var batchSize: Int
        /// Rows per evaluation batch (no dropout, no backward: larger is faster).
        public var evalBatchSize: Int
        public var seed: UInt64
        /// Visit the training examples in a fresh random order each epoch (always, for runs;
        /// off only to compare engines example for example).
        public var shuffle: Bool
        /// The optimizer (`momentum` and `nesterov` are SGD's).
        public var optimizer: Optimizer = .sgd
        /// Weight decay (PyTorch's `weight_decay`, every parameter included): added to the
        /// gradient by SGD and Adam, decoupled by AdamW. SGD with decay or Nesterov momentum
        /// takes the unfused step (`Kernels.sgd`).
        public var weightDecay: Float = 0
        public var nesterov: Bool = false
        /// How the weights start (biases always as nn.Linear's).
        public var weightInit: WeightInit = .default
        /// Input normalisation after scaling to [0, 1]: (x - mean) / std (0 and 1: none).
        public var inputMean: Float = 0
        public var inputStd: Float = 1
        /// deepnet's per-step schedules, applied before each optimizer step t (from 0, the
        /// steps taken so far, which a checkpoint keeps): the epoch's learning rate divided by
        /// 1 + t / halfLife (INVERSE_T), and momentum end − (end − the epoch's momentum)·exp(−t / steps).
        public var inverseTimeHalfLife: Double? = nil
        /// Dropout probability on the inputs, in [0, 1) (the dropout paper's 0.2), drawn from its
        /// own stream.
        public var inputDropout: Float = 0
        /// The max-norm constraint per dense layer (0: none), applied after every step; empty
        /// for none.
        public var maxNorm: [Float] = []
        public var momentumApproach: (end: Double, steps: Double)? = nil
        /// Classification (log-softmax and cross-entropy on the logits, labels) or regression
        /// (linear outputs and mean squared error, numeric targets).
        public var task: LearningTask = .classification

        public init(activation: Activation, dropout: Float, lr: Float, momentum: Float,
                    batchSize: Int, evalBatchSize: Int = 1000, seed: UInt64, shuffle: Bool = true) {
            self.activation = activation
            self.dropout = dropout
            self.lr = lr
            self.momentum = momentum
            self.batchSize = batchSize
            self.evalBatchSize = evalBatchSize
            self.seed = seed
            self.shuffle = shuffle
        }
    }

    /// One epoch's training figures.
    public struct EpochResult: Sendable {
        /// Mean loss over the epoch's training examples (dropout on, weights changing).
        public var meanLoss: Double
        public var examples: Int
        /// False when `progress` asked to stop before the epoch's end.
        public var completed: Bool
    }

    /// Everything training depends on between epochs: restoring it continues a run exactly
    /// as if it had never stopped.
    public struct State: Sendable, Equatable {
        public var parameters: [Float]
        /// SGD's momentum buffer, or Adam's first moment (exp_avg).
        public var velocity: [Float]
        public var shuffleStream: [UInt64]
        public var dropoutStream: [UInt64]
        /// Adam's second moment (exp_avg_sq); empty for SGD.
        public var secondMoment: [Float]
        /// Optimizer steps taken (Adam's bias corrections depend on it).
        public var steps: UInt64
        /// BatchNorm's running means, then running variances, hidden layer by hidden layer;
        /// empty without batch norm.
        public var runningStatistics: [Float]
        /// The input dropout stream's state; empty without input dropout.
        public var inputDropoutStream: [UInt64]

        public init(parameters: [Float], velocity: [Float], shuffleStream: [UInt64], dropoutStream: [UInt64],
                    secondMoment: [Float] = [], steps: UInt64 = 0, runningStatistics: [Float] = [],
                    inputDropoutStream: [UInt64] = []) {
            self.inputDropoutStream = inputDropoutStream
            self.parameters = parameters
            self.velocity = velocity
            self.shuffleStream = shuffleStream
            self.dropoutStream = dropoutStream
            self.secondMoment = secondMoment
            self.steps = steps
            self.runningStatistics = runningStatistics
        }
    }

    /// Evaluation figures of a regression network: the mean over all examples and outputs.
    public struct RegressionEvaluation: Sendable, Equatable {
        /// Mean squared error (PyTorch's `MSELoss`, the loss trained).
        public var meanLoss: Double
        /// Root mean squared error, √meanLoss: in the targets' units.
        public var rmse: Double
        /// Mean absolute error.
        public var mae: Double
        /// R², 1 - SS_res / SS_tot per output around the evaluated targets' own mean, averaged
        /// over outputs (scikit-learn's `r2_score`: 1 for a constant target predicted exactly, 0
        /// for a constant target missed).
        public var r2: Double

        public init(meanLoss: Double, rmse: Double, mae: Double, r2: Double) {
            self.meanLoss = meanLoss
            self.rmse = rmse
            self.mae = mae
            self.r2 = r2
        }
    }

    /// Evaluation figures.
    public struct Evaluation: Sendable {
        /// Mean negative log-likelihood over the examples.
        public var meanLoss: Double
        /// Percentage of examples whose most likely class is the label.
        public var accuracy: Double
    }

    public let shape: NetworkShape
    /// The layers forward and backward walk (`Layer.stack`: Linear, [BatchNorm], activation,
    /// [dropout] per hidden layer, then the output Linear).
    public let stack: [Layer]
    public internal(set) var hyper: Hyperparameters

    /// Sets the learning rate of the steps to come (a schedule changes it between epochs).
    public func setLearningRate(_ lr: Float) {
        hyper.lr = lr
        epochRates.lr = lr
    }

    /// Sets SGD's momentum for the steps to come (a schedule changes it between epochs).
    public func setMomentum(_ momentum: Float) {
        hyper.momentum = momentum
        epochRates.momentum = momentum
    }

    /// The epoch's learning rate and momentum, which per-step schedules start from.
    var epochRates: (lr: Float, momentum: Float)

    public let kernels: KernelPath
    /// Threads the products and weight steps are split over (`Trainer+Threads`): the same bits
    /// for any number.
    public let threads: Int
    /// Each thread's copy of its block of a layer's inputs for the weight kernels [threads, batchSize × widest input].
    let weightScratch: UnsafeMutableBufferPointer<Float>
    /// The helper threads the blocks go to (nil on one thread).
    let pool: WorkerPool?
    /// `kernels`' own kernels, when it has them.
    let vector: VectorKernels?

    let parameters: UnsafeMutableBufferPointer<Float>
    let gradients: UnsafeMutableBufferPointer<Float>
    let velocity: UnsafeMutableBufferPointer<Float>
    /// Adam's exp_avg_sq [parameterCount]; one unused float for SGD.
    let secondMoment: UnsafeMutableBufferPointer<Float>
    var steps: UInt64 = 0
    /// Per hidden layer with batch norm: x̂ [batchSize, out], 1/√(σ² + ε) and scratch [out],
    /// and the running estimates: all hidden layers' means, then all their variances.
    let xhat: [UnsafeMutableBufferPointer<Float>]
    let invstd: [UnsafeMutableBufferPointer<Float>]
    let normScratch: [UnsafeMutableBufferPointer<Float>]
    let runningStatistics: UnsafeMutableBufferPointer<Float>
    /// Hidden units with a batch norm (0 without), and where each layer's start among them.
    let normUnits: Int
    let normStart: [Int]
    let input: UnsafeMutableBufferPointer<Float>
    /// With input dropout: the training batch's inputs after it [batchSize, sizes[0]].
    let droppedInput: UnsafeMutableBufferPointer<Float>
    /// With a max-norm constraint: each unit's norm, then its factor [widest layer].
    let columnNorms: UnsafeMutableBufferPointer<Double>
    let batchLabels: UnsafeMutableBufferPointer<Int32>
    /// Regression: the batch's targets [capacity, outputs] (one unused float for classification).
    let batchTargets: UnsafeMutableBufferPointer<Float>
    /// Per layer [capacity, out]: activations h (hidden) or logits (last).
    let z: [UnsafeMutableBufferPointer<Float>]
    /// Per hidden layer [batchSize, out]: dropout masks and h * mask (empty without dropout).
    let masks: [UnsafeMutableBufferPointer<Float>]
    let dropped: [UnsafeMutableBufferPointer<Float>]
    /// Per layer [batchSize, out]: dLoss/dz.
    let deltas: [UnsafeMutableBufferPointer<Float>]
    /// The AVX-512 input-gradient product's operand and result, transposed: dLoss/dz [out, rows]
    /// and dLoss/dx [in, rows] of the widest layer.
    let deltaColumns: UnsafeMutableBufferPointer<Float>
    let inputGradientColumns: UnsafeMutableBufferPointer<Float>
    var order: UnsafeMutableBufferPointer<Int>

    var shuffleRNG: RandomStream
    var dropoutRNG: RandomStream
    var inputDropoutRNG: RandomStream

    /// A network initialised as PyTorch's `nn.Linear` does, from the `initialization` stream.
    /// - Parameter kernels: which kernels do the products (default: the fastest this CPU runs;
    ///   the caller chooses another, e.g. from `KernelPath.named`).
    public init(shape: NetworkShape, hyper: Hyperparameters, kernels: KernelPath = .fastest, threads: Int = 1) {
        precondition(threads >= 1)
        self.threads = kernels.vector == nil ? 1 : threads
        precondition(hyper.batchSize >= 1 && hyper.evalBatchSize >= 1)
        precondition(hyper.dropout >= 0 && hyper.dropout < 1)
        precondition(kernels.runsHere, "this CPU cannot run the \(kernels.rawValue) kernels")
        self.shape = shape
        self.hyper = hyper
        epochRates = (hyper.lr, hyper.momentum)
        self.kernels = kernels
        vector = kernels.vector
        stack = Layer.stack(shape, activation: hyper.activation, dropout: hyper.dropout)
        // Rows the forward buffers hold: a training batch or an evaluation batch.
        let capacity = max(hyper.batchSize, hyper.evalBatchSize), batch = hyper.batchSize
        func buffer<T>(_ count: Int, _ value: T) -> UnsafeMutableBufferPointer<T> {
            let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(count, 1))
            b.initialize(repeating: value)
            return b
        }
        parameters = buffer(shape.parameterCount, 0)
        gradients = buffer(shape.parameterCount, 0)
        velocity = buffer(shape.parameterCount, 0)
        secondMoment = buffer(hyper.optimizer.hasSecondMoment ? shape.parameterCount : 0, 0)
        let norms = shape.norms
        xhat = norms.map { buffer(batch * $0.units, 0) }
        invstd = norms.map { buffer($0.units, 0) }
        normScratch = norms.map { buffer($0.units, 0) }
        let units = norms.reduce(0) { $0 + $1.units }
        normUnits = units
        normStart = norms.indices.map { k in norms[..<k].reduce(0) { $0 + $1.units } }
        runningStatistics = buffer(2 * units, 0)
        // Running mean 0, running variance 1 (BatchNorm1d's reset_running_stats).
        for i in units..<(2 * units) { runningStatistics[i] = 1 }
        input = buffer(capacity * shape.sizes[0], 0)
        weightScratch = buffer(self.threads > 1 ? self.threads * batch * (shape.layers.map(\.inputs).max() ?? 0) : 0, 0)
        pool = self.threads > 1 ? WorkerPool(participants: self.threads) : nil
        droppedInput = buffer(hyper.inputDropout > 0 ? batch * shape.sizes[0] : 0, 0)
        columnNorms = buffer(hyper.maxNorm.isEmpty ? 0 : shape.layers.map(\.outputs).max() ?? 0, 0.0)
        precondition(hyper.maxNorm.isEmpty || hyper.maxNorm.count == shape.layers.count)
        precondition(hyper.inputDropout >= 0 && hyper.inputDropout < 1)
        batchLabels = buffer(capacity, 0)
        batchTargets = buffer(hyper.task == .regression ? capacity * shape.sizes.last! : 0, 0)
        z = shape.layers.map { buffer(capacity * $0.outputs, 0) }
        let hidden = shape.layers.dropLast()
        let withDropout = hyper.dropout > 0
        masks = hidden.map { buffer(withDropout ? batch * $0.outputs : 0, 0) }
        dropped = hidden.map { buffer(withDropout ? batch * $0.outputs : 0, 0) }
        deltas = shape.layers.map { buffer(batch * $0.outputs, 0) }
        let below = shape.layers.dropFirst()
        deltaColumns = buffer(kernels != .blas ? batch * (below.map(\.outputs).max() ?? 0) : 0, 0)
        inputGradientColumns = buffer(kernels != .blas ? batch * (below.map(\.inputs).max() ?? 0) : 0, 0)
        order = buffer(0, 0)
        var initRNG = RandomStream(seed: hyper.seed, purpose: .initialization)
        shuffleRNG = RandomStream(seed: hyper.seed, purpose: .shuffle)
        dropoutRNG = RandomStream(seed: hyper.seed, purpose: .dropout)
        inputDropoutRNG = RandomStream(seed: hyper.seed, purpose: .inputDropout)
        shape.initialize(parameters, rng: &initRNG, weights: hyper.weightInit)
        shape.toEngineLayout(parameters)
    }

    deinit {
        columnNorms.deallocate()
        for b in [parameters, gradients, velocity, secondMoment, input, droppedInput, runningStatistics, batchTargets, weightScratch]
            + z + masks + dropped + deltas + xhat + invstd + normScratch + [deltaColumns, inputGradientColumns] {
            b.deallocate()
        }
        batchLabels.deallocate()
        order.deallocate()
    }

    // MARK: - Inspection (tests, checkpoints)

    /// The state to checkpoint between epochs (weights and their optimizer buffers in
    /// `shape`'s flat layout, W [out, in], whatever the engine keeps).
    public var state: State {
        State(parameters: shape.fromEngineLayout(parameters), velocity: shape.fromEngineLayout(velocity),
              shuffleStream: shuffleRNG.state, dropoutStream: dropoutRNG.state,
              secondMoment: hyper.optimizer.hasSecondMoment ? shape.fromEngineLayout(secondMoment) : [],
              steps: steps, runningStatistics: Array(runningStatistics.prefix(2 * normUnits)),
              inputDropoutStream: hyper.inputDropout > 0 ? inputDropoutRNG.state : [])
    }

    /// Continues from a checkpointed state.
    /// - Returns: false (and changes nothing) when the state does not fit this network.
    public func restore(_ state: State) -> Bool {
        guard state.parameters.count == shape.parameterCount, state.velocity.count == shape.parameterCount,
              state.secondMoment.count == (hyper.optimizer.hasSecondMoment ? shape.parameterCount : 0),
              state.runningStatistics.count == 2 * normUnits,
              state.inputDropoutStream.count == (hyper.inputDropout > 0 ? 4 : 0),
              let shuffle = RandomStream(state: state.shuffleStream),
              let dropout = RandomStream(state: state.dropoutStream) else { return false }
        if hyper.inputDropout > 0 {
            guard let stream = RandomStream(state: state.inputDropoutStream) else { return false }
            inputDropoutRNG = stream
        }
        shape.toEngineLayout(state.parameters, into: parameters)
        shape.toEngineLayout(state.velocity, into: velocity)
        if hyper.optimizer.hasSecondMoment { shape.toEngineLayout(state.secondMoment, into: secondMoment) }
        _ = UnsafeMutableBufferPointer(rebasing: runningStatistics[0..<(2 * normUnits)]).update(fromContentsOf: state.runningStatistics)
        steps = state.steps
        shuffleRNG = shuffle
        dropoutRNG = dropout
        return true
    }

    /// A copy of the parameters, in `shape`'s flat layout.
    public var parameterValues: [Float] {
        get { shape.fromEngineLayout(parameters) }
        set {
            precondition(newValue.count == shape.parameterCount)
            shape.toEngineLayout(newValue, into: parameters)
        }
    }

    /// Runs forward and backward on one batch without updating anything, for gradient checks.
    /// Dropout masks are drawn from the run's dropout stream as in training.
    /// - Parameters:
    ///   - inputs: [rows, sizes[0]] Float inputs.
    ///   - labels: [rows].
    /// - Returns: the mean loss, the gradients, and the masks used (one [rows, out] per
    ///   hidden layer; empty without dropout).
    public func lossAndGradients(inputs: [Float], labels: [Int32]) -> (loss: Double, gradients: [Float], masks: [[Float]]) {
        precondition(hyper.task == .classification)
        _ = UnsafeMutableBufferPointer(rebasing: batchLabels[0..<labels.count]).update(fromContentsOf: labels)
        return lossAndGradients(inputs: inputs, rows: labels.count)
    }

    /// The same for a regression network: `targets` [rows, outputs].
    public func lossAndGradients(inputs: [Float], targets: [Float]) -> (loss: Double, gradients: [Float], masks: [[Float]]) {
        precondition(hyper.task == .regression)
        _ = UnsafeMutableBufferPointer(rebasing: batchTargets[0..<targets.count]).update(fromContentsOf: targets)
        return lossAndGradients(inputs: inputs, rows: targets.count / shape.sizes.last!)
    }

    private func lossAndGradients(inputs: [Float], rows: Int) -> (loss: Double, gradients: [Float], masks: [[Float]]) {
        precondition(rows <= hyper.batchSize && inputs.count == rows * shape.sizes[0])
        _ = UnsafeMutableBufferPointer(rebasing: input[0..<inputs.count]).update(fromContentsOf: inputs)
        let lossSum = SubnormalFlush.around { forwardBackward(rows: rows, update: false) }
        let usedMasks = hyper.dropout > 0
            ? zip(masks, shape.layers).map { Array($0.0[0..<(rows * $0.1.outputs)]) } : []
        return (lossSum / Double(rows), shape.fromEngineLayout(gradients), usedMasks)
    }
}
