import Foundation

/// One row of a run's `metrics.csv`.
public struct EpochMetrics: Sendable, Equatable {
    public var epoch: Int
    /// Mean training loss over the epoch (dropout on, weights changing as it goes).
    public var trainLoss: Double
    /// Mean negative log-likelihood over the test set.
    public var testLoss: Double
    /// Percentage of test examples classified correctly.
    public var testAccuracy: Double
    /// Wall-clock seconds of the epoch's training and evaluation.
    public var epochSeconds: Double

    public init(epoch: Int, trainLoss: Double, testLoss: Double, testAccuracy: Double, epochSeconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.epochSeconds = epochSeconds
    }

    public static let csvHeader = "epoch,train_loss,test_loss,test_accuracy,epoch_seconds"

    /// The CSV row: losses to 8 decimals, accuracy to 4, seconds to 3.
    public var csvRow: String {
        "\(epoch)," + String(format: "%.8f,%.8f,%.4f,%.3f", trainLoss, testLoss, testAccuracy, epochSeconds)
    }
}
