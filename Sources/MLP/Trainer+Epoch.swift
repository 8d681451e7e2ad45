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
}
