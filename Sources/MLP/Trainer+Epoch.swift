#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// The whole-epoch calls: train on every example once (shuffled, in batches), evaluate, predict.
/// Each public call says where its examples are (bytes or float features; labels or, for a
/// regression network, targets) and hands the walk a `Gather` that assembles a batch of them.
extension Trainer {
    /// One pass over the training examples in a fresh random order, in batches of
    /// `batchSize` (the last one partial), each followed by an SGD step.
    /// - Parameters:
    ///   - pixels: [count, sizes[0]] bytes, scaled to [0, 1] as batches are assembled.
    ///   - labels: [count], each < classes.
    ///   - progress: called after each batch with the number of examples done so far; return
    ///     false to stop the epoch there (the result then says `completed: false`).
    public func trainEpoch(pixels: [UInt8], labels: [UInt8], progress: ((Int) -> Bool)? = nil) -> EpochResult {
        precondition(hyper.task == .classification && pixels.count == labels.count * shape.sizes[0])
        return withPixels(pixels, labels) { trainEpoch(count: labels.count, progress: progress, gather: $0) }
    }

    /// The same pass over examples of float features (a dataset from files), each feature
    /// scaled as (x - shift[j]) / divisor[j] as batches are assembled (the run's scaling,
    /// fitted on its training examples); empty `shift` and `divisor` for none.
    public func trainEpoch(features: [Float], labels: [UInt8], shift: [Float] = [], divisor: [Float] = [],
                           progress: ((Int) -> Bool)? = nil) -> EpochResult {
        precondition(hyper.task == .classification && features.count == labels.count * shape.sizes[0])
        return withFeatures(features, labels: labels, targets: nil, shift: shift, divisor: divisor) {
            trainEpoch(count: labels.count, progress: progress, gather: $0)
        }
    }

    /// The same pass for a regression network: `targets` [count, outputs], mean squared error.
    public func trainEpoch(features: [Float], targets: [Float], shift: [Float] = [], divisor: [Float] = [],
                           progress: ((Int) -> Bool)? = nil) -> EpochResult {
        let count = features.count / shape.sizes[0]
        precondition(hyper.task == .regression && targets.count == count * shape.sizes.last!)
        return withFeatures(features, labels: nil, targets: targets, shift: shift, divisor: divisor) {
            trainEpoch(count: count, progress: progress, gather: $0)
        }
    }

    /// Assembles the batch of `rows` examples at `indices` into `input` and `batchLabels` (or
    /// `batchTargets`).
    typealias Gather = (_ indices: UnsafePointer<Int>, _ rows: Int) -> Void

    /// `body` with the gather of bytes scaled to [0, 1] (and normalised as the run says).
    private func withPixels<R>(_ pixels: [UInt8], _ labels: [UInt8], _ body: (Gather) -> R) -> R {
        let (mean, std) = (hyper.inputMean, hyper.inputStd)
        return pixels.withUnsafeBufferPointer { px in
            labels.withUnsafeBufferPointer { lb in
                body { indices, rows in
                    Kernels.gather(pixels: px.baseAddress!, labels: lb.baseAddress!, indices: indices, rows: rows,
                                   features: shape.sizes[0], out: input.baseAddress!, outLabels: batchLabels.baseAddress!,
                                   mean: mean, std: std)
                }
            }
        }
    }

    /// `body` with the gather of float features, scaled, and their labels or targets (either
    /// may be nil: new examples to predict have neither).
    private func withFeatures<R>(_ features: [Float], labels: [UInt8]?, targets: [Float]?, shift: [Float], divisor: [Float],
                                 _ body: (Gather) -> R) -> R {
        let width = shape.sizes[0], outputs = shape.sizes.last!
        return features.withUnsafeBufferPointer { fx in
            (labels ?? []).withUnsafeBufferPointer { lb in
                (targets ?? []).withUnsafeBufferPointer { tg in
                    body { indices, rows in
                        Kernels.gather(features: fx.baseAddress!, labels: labels == nil ? nil : lb.baseAddress!,
                                       indices: indices, rows: rows, width: width, shift: shift, divisor: divisor,
                                       out: input.baseAddress!, outLabels: batchLabels.baseAddress!)
                        if targets != nil {
                            Kernels.gather(targets: tg.baseAddress!, indices: indices, rows: rows, width: outputs,
                                           out: batchTargets.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    private func trainEpoch(count: Int, progress: ((Int) -> Bool)?, gather: Gather) -> EpochResult {
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
            var start = 0
            while start < count {
                let rows = min(hyper.batchSize, count - start)
                gather(order.baseAddress! + start, rows)
                lossSum += step(rows: rows)
                start += rows
                if let progress, !progress(start), start < count {
                    completed = false
                    break
                }
            }
        }
        return EpochResult(meanLoss: lossSum / Double(count), examples: count, completed: completed)
    }

    /// Mean loss and accuracy over examples, in batches of `evalBatchSize`, without dropout.
    public func evaluate(pixels: [UInt8], labels: [UInt8]) -> Evaluation {
        precondition(hyper.task == .classification && pixels.count == labels.count * shape.sizes[0])
        return withPixels(pixels, labels) { evaluate(count: labels.count, gather: $0) }
    }

    /// The same over float features, scaled as `trainEpoch(features:...)` scales them.
    public func evaluate(features: [Float], labels: [UInt8], shift: [Float] = [], divisor: [Float] = []) -> Evaluation {
        precondition(hyper.task == .classification && features.count == labels.count * shape.sizes[0])
        return withFeatures(features, labels: labels, targets: nil, shift: shift, divisor: divisor) {
            evaluate(count: labels.count, gather: $0)
        }
    }

    private func evaluate(count: Int, gather: Gather) -> Evaluation {
        var lossSum = 0.0
        var correct = 0
        forEachEvaluationBatch(count: count, gather: gather) { start, rows in
            let result = Kernels.softmaxCrossEntropy(
                logits: z[z.count - 1].baseAddress!, labels: batchLabels.baseAddress!, rows: rows,
                classes: shape.sizes.last!, delta: nil, scale: 0)
            lossSum += result.lossSum
            correct += result.correct
        }
        return Evaluation(meanLoss: lossSum / Double(count), accuracy: 100 * Double(correct) / Double(count))
    }

    /// A regression network's mean squared error (the loss), RMSE, MAE and R² over examples,
    /// in batches of `evalBatchSize`, without dropout; sums in Double.
    public func evaluate(features: [Float], targets: [Float], shift: [Float] = [], divisor: [Float] = []) -> RegressionEvaluation {
        let count = features.count / shape.sizes[0], outputs = shape.sizes.last!
        precondition(hyper.task == .regression && count > 0 && targets.count == count * outputs)
        // Each output's mean and total sum of squares around it, for R².
        var mean = [Double](repeating: 0, count: outputs), total = [Double](repeating: 0, count: outputs)
        for r in 0..<count { for j in 0..<outputs { mean[j] += Double(targets[r * outputs + j]) } }
        for j in 0..<outputs { mean[j] /= Double(count) }
        for r in 0..<count {
            for j in 0..<outputs {
                let d = Double(targets[r * outputs + j]) - mean[j]
                total[j] += d * d
            }
        }
        var squared = [Double](repeating: 0, count: outputs), absolute = 0.0
        withFeatures(features, labels: nil, targets: targets, shift: shift, divisor: divisor) { gather in
            forEachEvaluationBatch(count: count, gather: gather) { _, rows in
                let o = z[z.count - 1], t = batchTargets
                for r in 0..<rows {
                    for j in 0..<outputs {
                        let e = Double(o[r * outputs + j]) - Double(t[r * outputs + j])
                        squared[j] += e * e
                        absolute += abs(e)
                    }
                }
            }
        }
        let n = Double(count * outputs)
        let mse = squared.reduce(0, +) / n
        // scikit-learn's r2_score (force_finite): a constant target scores 1 if hit exactly, else 0.
        let r2 = (0..<outputs).map { j in total[j] > 0 ? 1 - squared[j] / total[j] : squared[j] == 0 ? 1 : 0 }
            .reduce(0, +) / Double(outputs)
        return RegressionEvaluation(meanLoss: mse, rmse: mse.squareRoot(), mae: absolute / n, r2: r2)
    }

    /// The examples in order, in batches of `evalBatchSize`, each assembled and sent forward in
    /// evaluation mode; `body` reads the outputs of the batch that starts at example `start`.
    private func forEachEvaluationBatch(count: Int, gather: Gather, _ body: (_ start: Int, _ rows: Int) -> Void) {
        let identity = UnsafeMutableBufferPointer<Int>.allocate(capacity: hyper.evalBatchSize)
        defer { identity.deallocate() }
        SubnormalFlush.around {
            var start = 0
            while start < count {
                let rows = min(hyper.evalBatchSize, count - start)
                for r in 0..<rows { identity[r] = start + r }
                gather(identity.baseAddress!, rows)
                forward(rows: rows, training: false)
                body(start, rows)
                start += rows
            }
        }
    }
}

extension Trainer {
    /// Class probabilities (softmax of the logits, in evaluation mode) of every example,
    /// [count, classes] row-major: what `runner predict` writes.
    public func predict(pixels: [UInt8]) -> [Float] {
        let count = pixels.count / shape.sizes[0]
        return withPixels(pixels, [UInt8](repeating: 0, count: count)) { predict(count: count, gather: $0) }
    }

    /// The same for float features, scaled as in training; a regression network's outputs
    /// [count, outputs] as they are.
    public func predict(features: [Float], shift: [Float] = [], divisor: [Float] = []) -> [Float] {
        let count = features.count / shape.sizes[0]
        return withFeatures(features, labels: nil, targets: nil, shift: shift, divisor: divisor) {
            predict(count: count, gather: $0)
        }
    }

    private func predict(count: Int, gather: Gather) -> [Float] {
        let classes = shape.sizes.last!
        var out = [Float](repeating: 0, count: count * classes)
        let softmax = hyper.task == .classification
        forEachEvaluationBatch(count: count, gather: gather) { start, rows in
            let logits = z[z.count - 1]
            for r in 0..<rows {
                guard softmax else {
                    for c in 0..<classes { out[(start + r) * classes + c] = logits[r * classes + c] }
                    continue
                }
                var top = -Float.infinity
                for c in 0..<classes { top = max(top, logits[r * classes + c]) }
                var sum: Float = 0
                for c in 0..<classes { sum += expf(logits[r * classes + c] - top) }
                for c in 0..<classes { out[(start + r) * classes + c] = expf(logits[r * classes + c] - top) / sum }
            }
        }
        return out
    }

    /// Sets the network's parameters (in `shape`'s flat layout) and BatchNorm's running
    /// statistics, as a saved model holds them; the optimizer's state is left as it is.
    /// - Returns: false when they do not fit this network.
    public func load(parameters: [Float], runningStatistics: [Float]) -> Bool {
        var s = state
        guard parameters.count == s.parameters.count, runningStatistics.count == s.runningStatistics.count else { return false }
        s.parameters = parameters
        s.runningStatistics = runningStatistics
        return restore(s)
    }
}
