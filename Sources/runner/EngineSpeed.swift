import Experiments
import Foundation
import MLP
import Vocabulary

/// The engine's speed on this machine, measured in a moment, for `runner plan`'s estimate of
/// how long a sweep takes.
enum EngineSpeed {
    /// FLOP/s of training the seed's network (784-512-256-10, batch 32, dropout) on one core:
    /// one epoch of 4,096 synthetic examples, the best of three (the first warms the caches).
    static func measure() -> Double {
        var config = RunConfig()
        config.trainSubset = 4096
        let rows = 4096
        var rng = SplitMix64(seed: 7)
        let pixels = (0..<(rows * (config.dataset.shape ?? .mnist).inputs)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let labels = (0..<rows).map { UInt8($0 % 10) }
        let trainer = Trainer(shape: NetworkShape(inputs: (config.dataset.shape ?? .mnist).inputs, hidden: config.hidden,
                                                  classes: (config.dataset.shape ?? .mnist).classes, batchNorm: false),
                              hyper: .init(activation: .relu, dropout: 0.5, lr: 0.01, momentum: 0.5, batchSize: 32,
                                           evalBatchSize: RunConfig.evaluationBatch, seed: 1),
                              kernels: EngineChoice.kernels)
        var best = Double.infinity
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = trainer.trainEpoch(pixels: pixels, labels: labels)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return 6 * config.multiplyAddsPerExample * Double(rows) / best
    }

    /// "about 12 min with 2 jobs": the plan's work at `flops` FLOP/s a core, its runs spread
    /// over `jobs` cores (each run on one).
    static func estimate(_ plan: Plan, flops: Double, jobs: Int) -> String {
        // A dataset of files has no size until it is loaded: no figure rather than MNIST's.
        if plan.runs.contains(where: { $0.config.dataset.shape == nil }) {
            return "estimated time: not known before a dataset of files is loaded (its size sets it)"
        }
        var seconds = plan.runs.map { $0.config.estimatedFLOPs / flops }
        // A search plans its first batch; the others, like it, are proposed batch by batch.
        if let search = plan.search, let first = seconds.first, seconds.count < search.trials {
            seconds += [Double](repeating: first, count: search.trials - seconds.count)
        }
        // Longest runs first onto the least loaded core, as a scheduler with a queue fills them.
        var cores = [Double](repeating: 0, count: max(1, min(jobs, seconds.count)))
        for s in seconds.sorted(by: >) { cores[cores.indices.min { cores[$0] < cores[$1] }!] += s }
        let total = cores.max() ?? 0
        let time = total < 1 ? "1 s" : total < 90 ? String(format: "%.0f s", total) : total < 5400 ? String(format: "%.0f min", total / 60)
            : String(format: "%.1f h", total / 3600)
        return "estimated time: about \(time) with \(cores.count) job\(cores.count == 1 ? "" : "s") "
            + String(format: "(the engine measured here at %.0f GFLOP/s a core; ", flops / 1e9)
            + "at most: early stopping and pruning end runs sooner)"
    }
}
