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

        public init(parameters: [Float], velocity: [Float], shuffleStream: [UInt64], dropoutStream: [UInt64],
                    secondMoment: [Float] = [], steps: UInt64 = 0, runningStatistics: [Float] = []) {
            self.parameters = parameters
            self.velocity = velocity
            self.shuffleStream = shuffleStream
            self.dropoutStream = dropoutStream
            self.secondMoment = secondMoment
            self.steps = steps
            self.runningStatistics = runningStatistics
        }
    }

    /// Evaluation figures.
    public struct Evaluation: Sendable {
        /// Mean negative log-likelihood over the examples.
        public var meanLoss: Double
        /// Percentage of examples whose most likely class is the label.
        public var accuracy: Double
    }

    /// Which kernels do a step's matrix products. Each path is deterministic (the same spec and
    /// seed give the same bits on it); the two round differently, so a run's provenance names
    /// the path that trained it.
    public enum KernelPath: String, Sendable, CaseIterable {
        /// The BLAS (BLIS, Accelerate) for every product; the weight step its GEMM with the
        /// momentum folded in as beta, in row blocks, each followed by `p -= lr * v`: portable.
        case blas = "BLAS"
        /// The engine's own kernels (`MLPAVX512`): `matrixProduct` for the forward and
        /// input-gradient products, each element summed in order with fused multiply-adds, and the
        /// fused weight steps (gradient and optimizer in one pass over W). Needs
        /// `CPUFeatures.hasAVX512`.
        case avx512 = "AVX-512"
        /// The same kernels compiled for AVX2 and FMA (`MLPAVX2`): the same bits as `.avx512`.
        /// Needs `CPUFeatures.hasAVX2`.
        case avx2 = "AVX2"
        /// The own kernels' arithmetic in plain loops (`Reference.gemm`, `.weightGradient`,
        /// `.momentumStep`; Adam's portable step, whose bits the fused one matches): the same bits
        /// as `.avx512` and `.avx2`, on any CPU, slowly. For tests.
        case naive

        /// The fastest this CPU runs, unless `$RUNNER_KERNELS` names another (`blas` for tools
        /// that emulate an older CPU while /proc/cpuinfo shows the real one, e.g. valgrind; `avx2`
        /// or `naive` to compare paths) that this CPU can run.
        public static var best: KernelPath {
            if let forced = getenv("RUNNER_KERNELS"),
               let path = allCases.first(where: { $0.rawValue.lowercased().filter { $0 != "-" } == String(cString: forced) }),
               path.runsHere {
                return path
            }
            return CPUFeatures.hasAVX512 ? .avx512 : CPUFeatures.hasAVX2 ? .avx2 : .blas
        }

        /// Whether this CPU has the instructions the path needs.
        public var runsHere: Bool {
            switch self {
            case .avx512: CPUFeatures.hasAVX512
            case .avx2: CPUFeatures.hasAVX2
            case .blas, .naive: true
            }
        }

        /// The own kernels behind the path (nil for BLAS and the naive loops).
        var vector: VectorKernels? {
            switch self {
            case .avx512: .avx512
            case .avx2: .avx2
            case .blas, .naive: nil
            }
        }
    }

    public let shape: NetworkShape
    /// The layers forward and backward walk (`Layer.stack`: Linear, [BatchNorm], activation,
    /// [dropout] per hidden layer, then the output Linear).
    public let stack: [Layer]
    public private(set) var hyper: Hyperparameters

    /// Sets the learning rate of the steps to come (a schedule changes it between epochs).
    public func setLearningRate(_ lr: Float) { hyper.lr = lr }

    /// Sets SGD's weight decay and Nesterov momentum for the steps to come.
    public func setSGDOptions(weightDecay: Float, nesterov: Bool) {
        hyper.weightDecay = weightDecay
        hyper.nesterov = nesterov
    }

    /// Sets the input normalisation (x - mean) / std applied as batches are assembled.
    public func setInputNormalization(mean: Float, std: Float) {
        hyper.inputMean = mean
        hyper.inputStd = std
    }
    public let kernels: KernelPath
    /// `kernels`' own kernels, when it has them.
    private let vector: VectorKernels?

    private let parameters: UnsafeMutableBufferPointer<Float>
    private let gradients: UnsafeMutableBufferPointer<Float>
    private let velocity: UnsafeMutableBufferPointer<Float>
    /// Adam's exp_avg_sq [parameterCount]; one unused float for SGD.
    private let secondMoment: UnsafeMutableBufferPointer<Float>
    private var steps: UInt64 = 0
    /// Per hidden layer with batch norm: x̂ [batchSize, out], 1/√(σ² + ε) and scratch [out],
    /// and the running estimates: all hidden layers' means, then all their variances.
    private let xhat: [UnsafeMutableBufferPointer<Float>]
    private let invstd: [UnsafeMutableBufferPointer<Float>]
    private let normScratch: [UnsafeMutableBufferPointer<Float>]
    private let runningStatistics: UnsafeMutableBufferPointer<Float>
    /// Hidden units with a batch norm (0 without), and where each layer's start among them.
    private let normUnits: Int
    private let normStart: [Int]
    private let input: UnsafeMutableBufferPointer<Float>
    private let batchLabels: UnsafeMutableBufferPointer<Int32>
    /// Per layer [capacity, out]: activations h (hidden) or logits (last).
    private let z: [UnsafeMutableBufferPointer<Float>]
    /// Per hidden layer [batchSize, out]: dropout masks and h * mask (empty without dropout).
    private let masks: [UnsafeMutableBufferPointer<Float>]
    private let dropped: [UnsafeMutableBufferPointer<Float>]
    /// Per layer [batchSize, out]: dLoss/dz.
    private let deltas: [UnsafeMutableBufferPointer<Float>]
    /// The AVX-512 input-gradient product's operand and result, transposed: dLoss/dz [out, rows]
    /// and dLoss/dx [in, rows] of the widest layer.
    private let deltaColumns: UnsafeMutableBufferPointer<Float>
    private let inputGradientColumns: UnsafeMutableBufferPointer<Float>
    private var order: UnsafeMutableBufferPointer<Int>

    private var shuffleRNG: RandomStream
    private var dropoutRNG: RandomStream

    /// A network initialised as PyTorch's `nn.Linear` does, from the `initialization` stream.
    /// - Parameter kernels: which kernels do the products (default: the fastest this CPU runs).
    public init(shape: NetworkShape, hyper: Hyperparameters, kernels: KernelPath = .best) {
        precondition(hyper.batchSize >= 1 && hyper.evalBatchSize >= 1)
        precondition(hyper.dropout >= 0 && hyper.dropout < 1)
        precondition(kernels.runsHere, "this CPU cannot run the \(kernels.rawValue) kernels")
        self.shape = shape
        self.hyper = hyper
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
        batchLabels = buffer(capacity, 0)
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
        shape.initialize(parameters, rng: &initRNG, weights: hyper.weightInit)
        shape.toEngineLayout(parameters)
    }

    deinit {
        for b in [parameters, gradients, velocity, secondMoment, input, runningStatistics]
            + z + masks + dropped + deltas + xhat + invstd + normScratch + [deltaColumns, inputGradientColumns] {
            b.deallocate()
        }
        batchLabels.deallocate()
        order.deallocate()
    }

    // MARK: - Whole-epoch calls

    /// One pass over the training examples in a fresh random order, in batches of
    /// `batchSize` (the last one partial), each followed by an SGD step.
    /// - Parameters:
    ///   - pixels: [count, sizes[0]] bytes, scaled to [0, 1] as batches are assembled.
    ///   - labels: [count], each < classes.
    ///   - progress: called after each batch with the number of examples done so far; return
    ///     false to stop the epoch there (the result then says `completed: false`).
    public func trainEpoch(pixels: [UInt8], labels: [UInt8], progress: ((Int) -> Bool)? = nil) -> EpochResult {
        let count = labels.count
        precondition(pixels.count == count * shape.sizes[0])
        if order.count != count {
            order.deallocate()
            order = .allocate(capacity: count)
        }
        // Each epoch a fresh uniformly random permutation (as PyTorch's RandomSampler draws
        // randperm(n)): Fisher-Yates from the identity, so an epoch depends only on the
        // stream's state, which a checkpoint can save.
        for i in 0..<count { order[i] = i }
        var i = hyper.shuffle ? count - 1 : 0
        while i > 0 {
            let j = shuffleRNG.nextInt(below: i + 1)
            order.swapAt(i, j)
            i -= 1
        }
        var lossSum = 0.0
        var completed = true
        SubnormalFlush.around {
            pixels.withUnsafeBufferPointer { px in
                labels.withUnsafeBufferPointer { lb in
                    var start = 0
                    while start < count {
                        let rows = min(hyper.batchSize, count - start)
                        Kernels.gather(pixels: px.baseAddress!, labels: lb.baseAddress!,
                                       indices: order.baseAddress! + start, rows: rows, features: shape.sizes[0],
                                       out: input.baseAddress!,
                                       outLabels: batchLabels.baseAddress!, mean: hyper.inputMean, std: hyper.inputStd)
                        lossSum += step(rows: rows)
                        start += rows
                        if let progress, !progress(start), start < count {
                            completed = false
                            break
                        }
                    }
                }
            }
        }
        return EpochResult(meanLoss: lossSum / Double(count), examples: count, completed: completed)
    }

    /// Mean loss and accuracy over examples, in batches of `evalBatchSize`, without dropout.
    public func evaluate(pixels: [UInt8], labels: [UInt8]) -> Evaluation {
        let count = labels.count
        precondition(pixels.count == count * shape.sizes[0])
        var lossSum = 0.0
        var correct = 0
        let identity = UnsafeMutableBufferPointer<Int>.allocate(capacity: hyper.evalBatchSize)
        defer { identity.deallocate() }
        SubnormalFlush.around {
            pixels.withUnsafeBufferPointer { px in
                labels.withUnsafeBufferPointer { lb in
                    var start = 0
                    while start < count {
                        let rows = min(hyper.evalBatchSize, count - start)
                        for r in 0..<rows { identity[r] = start + r }
                        Kernels.gather(pixels: px.baseAddress!, labels: lb.baseAddress!,
                                       indices: identity.baseAddress!, rows: rows, features: shape.sizes[0],
                                       out: input.baseAddress!,
                                       outLabels: batchLabels.baseAddress!, mean: hyper.inputMean, std: hyper.inputStd)
                        forward(rows: rows, training: false)
                        let result = Kernels.softmaxCrossEntropy(
                            logits: z[z.count - 1].baseAddress!, labels: batchLabels.baseAddress!, rows: rows,
                            classes: shape.sizes.last!, delta: nil, scale: 0)
                        lossSum += result.lossSum
                        correct += result.correct
                        start += rows
                    }
                }
            }
        }
        return Evaluation(meanLoss: lossSum / Double(count), accuracy: 100 * Double(correct) / Double(count))
    }

    // MARK: - One step

    /// Forward, loss, backward and the optimizer's step on the `rows` examples in `input`/`batchLabels`.
    /// - Returns: the sum of the rows' losses (the step minimises their mean).
    private func step(rows: Int) -> Double {
        forwardBackward(rows: rows, update: true)
    }

    /// Forward (training mode), loss and backward into `gradients`, then (with `update`) the
    /// optimizer's step; returns the loss sum.
    private func forwardBackward(rows: Int, update: Bool) -> Double {
        if update { steps += 1 }
        forward(rows: rows, training: true)
        let last = shape.layers.count - 1
        let loss = Kernels.softmaxCrossEntropy(
            logits: z[last].baseAddress!, labels: batchLabels.baseAddress!, rows: rows,
            classes: shape.sizes.last!, delta: deltas[last].baseAddress!, scale: 1 / Float(rows))
        backward(rows: rows, update: update)
        return loss.lossSum
    }

    /// The input of layer l as the next GEMM reads it: the batch, or the previous layer's
    /// activations (after dropout in training).
    @inline(__always)
    private func layerInput(_ l: Int, training: Bool) -> UnsafeMutablePointer<Float> {
        if l == 0 { return input.baseAddress! }
        return training && hyper.dropout > 0 ? dropped[l - 1].baseAddress! : z[l - 1].baseAddress!
    }

    /// The running mean and variance of hidden layer l's batch norm.
    @inline(__always)
    private func running(_ l: Int) -> (mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>) {
        (runningStatistics.baseAddress! + normStart[l], runningStatistics.baseAddress! + normUnits + normStart[l])
    }

    /// The forward pass: `stack` walked in order, from `input` to the logits in `z[last]`.
    private func forward(rows: Int, training: Bool) {
        let p = parameters.baseAddress!
        var x = input.baseAddress!                 // what the next dense layer reads
        var owner = 0                              // the dense layer the following layers act on
        var pendingBias: UnsafePointer<Float>?     // a bias the next pass adds
        var i = 0
        while i < stack.count {
            let out = z[owner].baseAddress!, n = shape.layers[owner].outputs
            switch stack[i] {
            case .dense(let l):
                let layer = shape.layers[l]
                owner = l
                // z = x Wᵀ: x [rows, in], Wᵀ [in, out] as stored -> z [rows, out]; its bias comes next.
                product(m: rows, n: layer.outputs, k: layer.inputs, a: x, lda: layer.inputs,
                        b: p + layer.weightOffset, ldb: layer.outputs, c: z[l].baseAddress!, ldc: layer.outputs)
                pendingBias = UnsafePointer(p + layer.biasOffset)
            case .batchNorm(let k):
                // z = γ·x̂ with the Linear bias included in the statistics; β is added next.
                let norm = shape.norms[k], stats = running(k)
                if training {
                    Kernels.batchNormTrain(out, linearBias: pendingBias!, rows: rows, n: n,
                                           gamma: p + norm.gammaOffset, xhat: xhat[k].baseAddress!,
                                           invstd: invstd[k].baseAddress!, mean: normScratch[k].baseAddress!,
                                           runningMean: stats.mean, runningVar: stats.variance)
                } else {
                    Kernels.batchNormEvaluate(out, linearBias: pendingBias!, rows: rows, n: n,
                                              gamma: p + norm.gammaOffset, runningMean: stats.mean,
                                              runningVar: stats.variance, scale: normScratch[k].baseAddress!)
                }
                pendingBias = UnsafePointer(p + norm.betaOffset)
            case .activation(let f):
                // h = f(z + bias), and the dropout right after it in the same pass.
                var drop: Float = 0
                if i + 1 < stack.count, case .dropout(let q) = stack[i + 1] {
                    drop = training ? q : 0
                    i += 1
                }
                Kernels.biasActivateDropout(
                    z: out, bias: pendingBias!, rows: rows, n: n, activation: f, p: drop, rng: &dropoutRNG,
                    mask: masks[owner].baseAddress!, out: dropped[owner].baseAddress!)
                pendingBias = nil
                x = drop > 0 ? dropped[owner].baseAddress! : out
            case .dropout:
                preconditionFailure("dropout comes right after an activation (Layer.stack)")
            }
            i += 1
        }
        if let pendingBias {
            Kernels.addBias(z[owner].baseAddress!, pendingBias, rows: rows, n: shape.layers[owner].outputs)
        }
    }

    /// Backward from `deltas[last]` (dLoss/dlogits): `stack` walked in reverse.
    ///
    /// Without `update` (gradient checks) every gradient is written into `gradients` (GEMMs with
    /// beta 0, bias sums from zero: no separate zeroing pass). With `update` each dense layer
    /// takes its optimizer step as soon as the gradient for the layers below is out (nothing
    /// below needs its old weights), without materialising the weight gradient where a fused
    /// kernel exists. On the `.blas` path PyTorch's v = momentum * v + g is the GEMM itself
    /// (beta = momentum, C = v), done in row blocks small enough to stay in cache, each followed
    /// at once by p -= lr * v on the same block; on the own kernels' paths one kernel does both
    /// with the gradient tile in registers, so v and p are read and written once each (Adam's
    /// likewise). Batch norms' γ and β step last.
    private func backward(rows: Int, update: Bool) {
        let p = parameters.baseAddress!, g = gradients.baseAddress!
        var delta = deltas[deltas.count - 1].baseAddress!   // dLoss/d(the current layer's output)
        // The own kernels' input gradient leaves dLoss/dx transposed in inputGradientColumns for the
        // activation's pass to read (`transposedBelow`), which can leave dLoss/dz transposed in
        // deltaColumns for the next input-gradient product (`columnsReady`).
        var transposedBelow = false, columnsReady = false
        var i = stack.count - 1
        while i >= 0 {
            switch stack[i] {
            case .dense(let l):
                precondition(!transposedBelow, "an activation comes between two dense layers (Layer.stack)")
                let layer = shape.layers[l]
                Kernels.columnSums(delta, rows: rows, n: layer.outputs, into: g + layer.biasOffset)
                if l > 0 {
                    transposedBelow = inputGradient(l, delta: delta, rows: rows, columnsReady: columnsReady)
                    columnsReady = false
                }
                denseStep(l, delta: delta, rows: rows, update: update)
                if l > 0 { delta = deltas[l - 1].baseAddress! }
            case .dropout, .activation(_):
                // dZ = dH * mask * f'(h), dropout and activation in one pass (h is in z).
                var owner = 0
                var j = i
                while j >= 0 { if case .dense(let l) = stack[j] { owner = l; break }; j -= 1 }
                var activation = Activation.relu, mask: UnsafePointer<Float>? = nil
                if case .dropout = stack[i] {
                    mask = UnsafePointer(masks[owner].baseAddress!)
                    i -= 1
                }
                if case .activation(let f) = stack[i] { activation = f }
                let n = shape.layers[owner].outputs
                if transposedBelow {
                    // dH arrived transposed (the own kernels' input gradient): the pass reads it so,
                    // and when the dense layer below is next and not the first also writes dZᵀ for
                    // its input-gradient product.
                    var next: Layer? = nil
                    if i > 0 { next = stack[i - 1] }
                    let below = next == .dense(owner) && owner > 0
                    Kernels.transposedActivationDropoutBackward(
                        inputGradientColumns.baseAddress!, rows: rows, n: n, h: z[owner].baseAddress!, mask: mask,
                        activation: activation, into: delta, deltaColumns: below ? deltaColumns.baseAddress! : nil)
                    transposedBelow = false
                    columnsReady = below
                } else {
                    Kernels.activationDropoutBackward(delta, h: z[owner].baseAddress!, mask: mask, count: rows * n,
                                                      activation: activation)
                }
            case .batchNorm(let k):
                let norm = shape.norms[k]
                Kernels.batchNormBackward(delta, xhat: xhat[k].baseAddress!, invstd: invstd[k].baseAddress!,
                                          gamma: p + norm.gammaOffset, rows: rows, n: norm.units,
                                          dGamma: g + norm.gammaOffset, dBeta: g + norm.betaOffset)
            }
            i -= 1
        }
        if update && shape.batchNorm {
            optimizerStep(shape.normOffset, count: shape.parameterCount - shape.normOffset)
        }
    }

    /// C = A B, all row-major with row strides, on `kernels`' path: the own kernels, their naive
    /// twin, or the BLAS.
    private func product(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int) {
        switch kernels {
        case .avx512, .avx2: vector!.matrixProduct(m, n, k, a, lda, b, ldb, c, ldc)
        case .naive: Reference.gemm(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
        case .blas:
            BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: lda, b: b, ldb: ldb,
                       beta: 0, c: c, ldc: ldc)
        }
    }

    /// dX = delta W [rows, in], the gradient below dense layer l, from delta [rows, out] and
    /// Wᵀ [in, out] as stored. The own kernels want the product's columns contiguous: they compute
    /// dXᵀ = Wᵀ deltaᵀ [in, rows] into `inputGradientColumns` from deltaᵀ in `deltaColumns`
    /// (transposed here unless `columnsReady`), and leave dXᵀ for the activation's backward pass,
    /// which reads it transposed; BLAS writes dX into `deltas[l - 1]` itself.
    /// - Returns: whether dX was left transposed in `inputGradientColumns`.
    private func inputGradient(_ l: Int, delta: UnsafeMutablePointer<Float>, rows: Int, columnsReady: Bool) -> Bool {
        let layer = shape.layers[l]
        let wt = parameters.baseAddress! + layer.weightOffset, below = deltas[l - 1].baseAddress!
        switch kernels {
        case .avx512, .avx2, .naive:
            if !columnsReady { Kernels.transpose(delta, rows: rows, columns: layer.outputs, into: deltaColumns.baseAddress!) }
            product(m: layer.inputs, n: rows, k: layer.outputs, a: wt, lda: layer.outputs,
                    b: deltaColumns.baseAddress!, ldb: rows, c: inputGradientColumns.baseAddress!, ldc: rows)
            return true
        case .blas:
            BLAS.sgemm(transA: false, transB: true, m: rows, n: layer.inputs, k: layer.outputs, alpha: 1,
                       a: delta, lda: layer.outputs, b: wt, ldb: layer.outputs,
                       beta: 0, c: below, ldc: layer.inputs)
            return false
        }
    }

    /// Dense layer l's weights and bias, given dLoss/dz: their gradient (without `update`), or
    /// the optimizer's step (with it); the bias gradient is already in `gradients`.
    private func denseStep(_ l: Int, delta: UnsafeMutablePointer<Float>, rows: Int, update: Bool) {
        let layer = shape.layers[l]
        let p = parameters.baseAddress!, g = gradients.baseAddress!, v = velocity.baseAddress!
        let x = layerInput(l, training: true)
        // Weights are stored as Wᵀ [in, out], so their gradient is dWᵀ = xᵀ delta: the weight-step
        // kernels (written for W [out, in] and dW = deltaᵀ x) take x as "delta" and delta as "x".
        // Each element's sum is the same products in the same order either way.
        let (w, vw) = (p + layer.weightOffset, v + layer.weightOffset)
        if update, case .adam(let adam) = hyper.optimizer, let vector {
            // Adam's step fused with the weight gradient, then the biases'.
            vector.adamWeightStep(x, delta, rows, layer.inputs, layer.outputs, w, vw,
                                  secondMoment.baseAddress! + layer.weightOffset,
                                  adam.scalars(step: steps, lr: hyper.lr, weightDecay: hyper.weightDecay))
            optimizerStep(layer.biasOffset, count: layer.outputs)
            return
        }
        if !update || !fusedSGD {
            // The weight gradient itself (for checks, or for a step that needs it: Adam off the
            // fused path, SGD with decay or Nesterov), then one pass over the layer's weights and
            // biases (contiguous: no allocation).
            weightGradient(l, delta: delta, rows: rows)
            if update { optimizerStep(layer.weightOffset, count: layer.inputs * layer.outputs + layer.outputs) }
            return
        }
        switch kernels {
        case .avx512, .avx2:
            vector!.weightStep(x, delta, rows, layer.inputs, layer.outputs, w, vw, hyper.lr, hyper.momentum)
        case .naive:
            weightGradient(l, delta: delta, rows: rows)
            Reference.momentumStep(parameters: w, velocity: vw, gradients: g + layer.weightOffset,
                                   count: layer.inputs * layer.outputs, lr: hyper.lr, momentum: hyper.momentum)
        case .blas:
            Kernels.weightStepBLAS(delta: x, x: delta, rows: rows, outputs: layer.inputs, inputs: layer.outputs,
                                   parameters: w, velocity: vw, lr: hyper.lr, momentum: hyper.momentum)
        }
        Kernels.sgdMomentum(parameters: p + layer.biasOffset, gradients: g + layer.biasOffset,
                            velocity: v + layer.biasOffset, count: layer.outputs,
                            lr: hyper.lr, momentum: hyper.momentum)
    }

    /// dWᵀ = xᵀ delta [in, out] of dense layer l into `gradients`: x [rows, in], delta [rows, out].
    private func weightGradient(_ l: Int, delta: UnsafeMutablePointer<Float>, rows: Int) {
        let layer = shape.layers[l]
        let x = layerInput(l, training: true), g = gradients.baseAddress! + layer.weightOffset
        switch kernels {
        case .avx512, .avx2:
            vector!.weightGradient(x, delta, rows, layer.inputs, layer.outputs, g)
        case .naive:
            Reference.weightGradient(delta: x, x: delta, rows: rows, outputs: layer.inputs, inputs: layer.outputs, into: g)
        case .blas:
            BLAS.sgemm(transA: true, transB: false, m: layer.inputs, n: layer.outputs, k: rows, alpha: 1,
                       a: x, lda: layer.inputs, b: delta, ldb: layer.outputs,
                       beta: 0, c: g, ldc: layer.outputs)
        }
    }

    /// Plain SGD (no decay, no Nesterov): the weight step fused with its gradient.
    private var fusedSGD: Bool {
        hyper.optimizer == .sgd && hyper.weightDecay == 0 && !hyper.nesterov
    }

    /// The optimizer's step on parameters [offset, offset + count) from their gradients.
    private func optimizerStep(_ offset: Int, count: Int) {
        let p = parameters.baseAddress! + offset, g = gradients.baseAddress! + offset
        let v = velocity.baseAddress! + offset
        switch hyper.optimizer {
        case .sgd where fusedSGD:
            Kernels.sgdMomentum(parameters: p, gradients: g, velocity: v, count: count,
                                lr: hyper.lr, momentum: hyper.momentum)
        case .sgd:
            Kernels.sgd(parameters: p, gradients: g, velocity: v, count: count, lr: hyper.lr,
                        momentum: hyper.momentum, weightDecay: hyper.weightDecay, nesterov: hyper.nesterov)
        case .adam(let adam):
            Kernels.adam(parameters: p, gradients: g, firstMoment: v, secondMoment: secondMoment.baseAddress! + offset,
                         count: count, adam.scalars(step: steps, lr: hyper.lr, weightDecay: hyper.weightDecay))
        }
    }

    // MARK: - Inspection (tests, checkpoints)

    /// The state to checkpoint between epochs (weights and their optimizer buffers in
    /// `shape`'s flat layout, W [out, in], whatever the engine keeps).
    public var state: State {
        State(parameters: shape.fromEngineLayout(parameters), velocity: shape.fromEngineLayout(velocity),
              shuffleStream: shuffleRNG.state, dropoutStream: dropoutRNG.state,
              secondMoment: hyper.optimizer.hasSecondMoment ? shape.fromEngineLayout(secondMoment) : [],
              steps: steps, runningStatistics: Array(runningStatistics.prefix(2 * normUnits)))
    }

    /// Continues from a checkpointed state.
    /// - Returns: false (and changes nothing) when the state does not fit this network.
    public func restore(_ state: State) -> Bool {
        guard state.parameters.count == shape.parameterCount, state.velocity.count == shape.parameterCount,
              state.secondMoment.count == (hyper.optimizer.hasSecondMoment ? shape.parameterCount : 0),
              state.runningStatistics.count == 2 * normUnits,
              let shuffle = RandomStream(state: state.shuffleStream),
              let dropout = RandomStream(state: state.dropoutStream) else { return false }
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
        let rows = labels.count
        precondition(rows <= hyper.batchSize && inputs.count == rows * shape.sizes[0])
        _ = UnsafeMutableBufferPointer(rebasing: input[0..<inputs.count]).update(fromContentsOf: inputs)
        _ = UnsafeMutableBufferPointer(rebasing: batchLabels[0..<rows]).update(fromContentsOf: labels)
        let lossSum = SubnormalFlush.around { forwardBackward(rows: rows, update: false) }
        let usedMasks = hyper.dropout > 0
            ? zip(masks, shape.layers).map { Array($0.0[0..<(rows * $0.1.outputs)]) } : []
        return (lossSum / Double(rows), shape.fromEngineLayout(gradients), usedMasks)
    }
}
