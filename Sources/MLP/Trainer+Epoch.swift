#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// The whole-epoch calls: train on every example once (shuffled, in batches), evaluate.
extension Trainer {
    /// One pass over the training examples in a fresh random order, in batches of
    /// `batchSize` (the last one partial), each followed by an SGD step.
    /// - Parameters:
    ///   - pixels: [count, sizes[0]] bytes, scaled to [0, 1] as batches are assembled.
    ///   - labels: [count], each < classes.
    ///   - progress: called after each batch with the number of examples done so far; return
    ///     false to stop the epoch there (the result then says `completed: false`).
    public func trainEpoch(pixels: [UInt8], labels: [UInt8], progress: ((Int) -> Bool)? = nil) -> EpochResult {
        precondition(pixels.count == labels.count * shape.sizes[0])
        let (mean, std) = (hyper.inputMean, hyper.inputStd)
        return pixels.withUnsafeBufferPointer { px in
            trainEpoch(labels: labels, progress: progress) { indices, rows, out, outLabels, lb in
                Kernels.gather(pixels: px.baseAddress!, labels: lb, indices: indices, rows: rows,
                               features: shape.sizes[0], out: out, outLabels: outLabels, mean: mean, std: std)
            }
        }
    }

    /// The same pass over examples of float features (a dataset from files), each feature
    /// scaled as (x - shift[j]) / divisor[j] as batches are assembled (the run's scaling,
    /// fitted on its training examples); empty `shift` and `divisor` for none.
    public func trainEpoch(features: [Float], labels: [UInt8], shift: [Float] = [], divisor: [Float] = [],
                           progress: ((Int) -> Bool)? = nil) -> EpochResult {
        precondition(features.count == labels.count * shape.sizes[0])
        return features.withUnsafeBufferPointer { fx in
            trainEpoch(labels: labels, progress: progress) { indices, rows, out, outLabels, lb in
                Kernels.gather(features: fx.baseAddress!, labels: lb, indices: indices, rows: rows, width: shape.sizes[0],
                               shift: shift, divisor: divisor, out: out, outLabels: outLabels)
            }
        }
    }

    /// Assembles the batch of `rows` examples at `indices` into the input buffer and labels.
    typealias Gather = (_ indices: UnsafePointer<Int>, _ rows: Int, _ out: UnsafeMutablePointer<Float>,
                        _ outLabels: UnsafeMutablePointer<Int32>, _ labels: UnsafePointer<UInt8>) -> Void

    private func trainEpoch(labels: [UInt8], progress: ((Int) -> Bool)?, gather: Gather) -> EpochResult {
        let count = labels.count
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
            labels.withUnsafeBufferPointer { lb in
                var start = 0
                while start < count {
                    let rows = min(hyper.batchSize, count - start)
                    gather(order.baseAddress! + start, rows, input.baseAddress!, batchLabels.baseAddress!, lb.baseAddress!)
                    lossSum += step(rows: rows)
                    start += rows
                    if let progress, !progress(start), start < count {
                        completed = false
                        break
                    }
                }
            }
        }
        return EpochResult(meanLoss: lossSum / Double(count), examples: count, completed: completed)
    }

    /// Mean loss and accuracy over examples, in batches of `evalBatchSize`, without dropout.
    public func evaluate(pixels: [UInt8], labels: [UInt8]) -> Evaluation {
        precondition(pixels.count == labels.count * shape.sizes[0])
        let (mean, std) = (hyper.inputMean, hyper.inputStd)
        return pixels.withUnsafeBufferPointer { px in
            evaluate(labels: labels) { indices, rows, out, outLabels, lb in
                Kernels.gather(pixels: px.baseAddress!, labels: lb, indices: indices, rows: rows,
                               features: shape.sizes[0], out: out, outLabels: outLabels, mean: mean, std: std)
            }
        }
    }

    /// The same over float features, scaled as `trainEpoch(features:...)` scales them.
    public func evaluate(features: [Float], labels: [UInt8], shift: [Float] = [], divisor: [Float] = []) -> Evaluation {
        precondition(features.count == labels.count * shape.sizes[0])
        return features.withUnsafeBufferPointer { fx in
            evaluate(labels: labels) { indices, rows, out, outLabels, lb in
                Kernels.gather(features: fx.baseAddress!, labels: lb, indices: indices, rows: rows, width: shape.sizes[0],
                               shift: shift, divisor: divisor, out: out, outLabels: outLabels)
            }
        }
    }

    private func evaluate(labels: [UInt8], gather: Gather) -> Evaluation {
        var lossSum = 0.0
        var correct = 0
        forEachEvaluationBatch(labels: labels, gather: gather) { start, rows in
            let result = Kernels.softmaxCrossEntropy(
                logits: z[z.count - 1].baseAddress!, labels: batchLabels.baseAddress!, rows: rows,
                classes: shape.sizes.last!, delta: nil, scale: 0)
            lossSum += result.lossSum
            correct += result.correct
        }
        let count = labels.count
        return Evaluation(meanLoss: lossSum / Double(count), accuracy: 100 * Double(correct) / Double(count))
    }

    /// The examples in order, in batches of `evalBatchSize`, each assembled and sent forward in
    /// evaluation mode; `body` reads the outputs of the batch that starts at example `start`.
    private func forEachEvaluationBatch(labels: [UInt8], gather: Gather, _ body: (_ start: Int, _ rows: Int) -> Void) {
        let count = labels.count
        let identity = UnsafeMutableBufferPointer<Int>.allocate(capacity: hyper.evalBatchSize)
        defer { identity.deallocate() }
        SubnormalFlush.around {
            labels.withUnsafeBufferPointer { lb in
                var start = 0
                while start < count {
                    let rows = min(hyper.evalBatchSize, count - start)
                    for r in 0..<rows { identity[r] = start + r }
                    gather(identity.baseAddress!, rows, input.baseAddress!, batchLabels.baseAddress!, lb.baseAddress!)
                    forward(rows: rows, training: false)
                    body(start, rows)
                    start += rows
                }
            }
        }
    }
}

extension Trainer {
    /// Class probabilities (softmax of the logits, in evaluation mode) of every example,
    /// [count, classes] row-major: what `runner predict` writes.
    public func predict(pixels: [UInt8]) -> [Float] {
        let count = pixels.count / shape.sizes[0]
        let (mean, std) = (hyper.inputMean, hyper.inputStd)
        return pixels.withUnsafeBufferPointer { px in
            predict(count: count) { indices, rows, out, outLabels, lb in
                Kernels.gather(pixels: px.baseAddress!, labels: lb, indices: indices, rows: rows,
                               features: shape.sizes[0], out: out, outLabels: outLabels, mean: mean, std: std)
            }
        }
    }

    /// The same for float features, scaled as in training.
    public func predict(features: [Float], shift: [Float] = [], divisor: [Float] = []) -> [Float] {
        let count = features.count / shape.sizes[0]
        return features.withUnsafeBufferPointer { fx in
            predict(count: count) { indices, rows, out, outLabels, lb in
                Kernels.gather(features: fx.baseAddress!, labels: lb, indices: indices, rows: rows, width: shape.sizes[0],
                               shift: shift, divisor: divisor, out: out, outLabels: outLabels)
            }
        }
    }

    private func predict(count: Int, gather: Gather) -> [Float] {
        let classes = shape.sizes.last!
        var out = [Float](repeating: 0, count: count * classes)
        forEachEvaluationBatch(labels: [UInt8](repeating: 0, count: count), gather: gather) { start, rows in
            let logits = z[z.count - 1]
            for r in 0..<rows {
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
