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

    /// Parses a row written by `csvRow`; nil for anything else.
    public init?(csvRow: Substring) {
        let f = csvRow.split(separator: ",", omittingEmptySubsequences: false)
        guard f.count == 5, let e = Int(f[0]), let a = Double(f[1]), let b = Double(f[2]),
              let c = Double(f[3]), let d = Double(f[4]) else { return nil }
        self.init(epoch: e, trainLoss: a, testLoss: b, testAccuracy: c, epochSeconds: d)
    }

    /// Parses a whole metrics.csv; nil when its header or any row is not as written by the runner.
    public static func parse(csv text: String) -> [EpochMetrics]? {
        var lines = text.split(separator: "\n")
        guard lines.first == Substring(csvHeader) else { return nil }
        lines.removeFirst()
        var rows: [EpochMetrics] = []
        for (i, line) in lines.enumerated() {
            guard let row = EpochMetrics(csvRow: line), row.epoch == i + 1 else { return nil }
            rows.append(row)
        }
        return rows
    }

    /// The text of a metrics.csv holding `rows`.
    public static func csv(_ rows: [EpochMetrics]) -> String {
        ([csvHeader] + rows.map(\.csvRow)).joined(separator: "\n") + "\n"
    }

    /// The CSV row: losses to 8 decimals, accuracy to 4, seconds to 3.
    public var csvRow: String {
        "\(epoch)," + String(format: "%.8f,%.8f,%.4f,%.3f", trainLoss, testLoss, testAccuracy, epochSeconds)
    }
}
