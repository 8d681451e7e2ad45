import Datasets
import Experiments
import Foundation
import MLP
import Results

/// Trains one planned run on loaded data and records every epoch; the engine does the work.
enum Training {
    /// How a run ended.
    enum Outcome: Equatable {
        case done
        /// The loss became NaN or infinite at this epoch.
        case diverged(epoch: Int)
    }

    /// The engine's settings for a run.
    static func hyperparameters(_ config: RunConfig) -> Trainer.Hyperparameters {
        Trainer.Hyperparameters(
            activation: Activation(rawValue: config.activation.rawValue)!,
            dropout: Float(config.dropout), lr: Float(config.lr), momentum: Float(config.momentum),
            batchSize: config.batchSize, seed: UInt64(config.seed))
    }

    /// Trains `run` for its epochs, appending each epoch's figures to `recorder`.
    /// - Parameters:
    ///   - data: the run's dataset (subsets are taken here).
    ///   - log: receives one line per finished epoch.
    static func train(_ run: Run, data: MNIST.Split, recorder: RunRecorder,
                      log: (String) -> Void) throws(AtomicFile.WriteError) -> Outcome {
        let config = run.config
        let train = data.train.prefix(config.trainSubset)
        let test = data.test.prefix(config.testSubset)
        let shape = NetworkShape(inputs: train.pixelsPerImage, hidden: config.hidden, classes: train.classes)
        let trainer = Trainer(shape: shape, hyper: hyperparameters(config))
        for epoch in 1...config.epochs {
            let start = DispatchTime.now().uptimeNanoseconds
            let fit = trainer.trainEpoch(pixels: train.pixels, labels: train.labels)
            let eval = trainer.evaluate(pixels: test.pixels, labels: test.labels)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            guard fit.meanLoss.isFinite, eval.meanLoss.isFinite else {
                try recorder.write(status: "diverged", reason: "loss became \(fit.meanLoss.isFinite ? eval.meanLoss : fit.meanLoss) in epoch \(epoch)")
                return .diverged(epoch: epoch)
            }
            let metrics = EpochMetrics(epoch: epoch, trainLoss: fit.meanLoss, testLoss: eval.meanLoss,
                                       testAccuracy: eval.accuracy, epochSeconds: seconds)
            try recorder.append(metrics)
            log("epoch \(epoch)/\(config.epochs)  train_loss " + String(format: "%.4f", fit.meanLoss)
                + "  test_loss " + String(format: "%.4f", eval.meanLoss)
                + "  test_accuracy " + String(format: "%.2f%%", eval.accuracy)
                + "  " + String(format: "%.1f s", seconds))
        }
        try recorder.write(status: "done", reason: nil)
        return .done
    }
}
