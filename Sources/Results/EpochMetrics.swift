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
    /// Wall-clock seconds of the epoch's training and evaluations.
    public var epochSeconds: Double
    /// Loss and accuracy on a fixed sample of the training examples, measured after the epoch
    /// in evaluation mode (no dropout): the generalisation gap against the test figures.
    /// nil in rows written before it was recorded.
    public var trainEvalLoss: Double?
    public var trainEvalAccuracy: Double?
    /// Loss and accuracy on the validation split; nil without one.
    public var valLoss: Double?
    public var valAccuracy: Double?

    /// A figure by its metrics.csv name (`val_accuracy`, `test_loss`, ... as `Selection.metrics`
    /// lists them); nil for another name or a figure this row does not have.
    public func figure(_ name: String) -> Double? {
        switch name {
        case "val_accuracy": valAccuracy
        case "val_loss": valLoss
        case "test_accuracy": testAccuracy
        case "test_loss": testLoss
        case "train_eval_accuracy": trainEvalAccuracy
        case "train_eval_loss": trainEvalLoss
        default: nil
        }
    }

    public init(epoch: Int, trainLoss: Double, testLoss: Double, testAccuracy: Double, epochSeconds: Double,
                trainEvalLoss: Double? = nil, trainEvalAccuracy: Double? = nil,
                valLoss: Double? = nil, valAccuracy: Double? = nil) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.epochSeconds = epochSeconds
        self.trainEvalLoss = trainEvalLoss
        self.trainEvalAccuracy = trainEvalAccuracy
        self.valLoss = valLoss
        self.valAccuracy = valAccuracy
    }

    /// The header of metrics.csv; wall-clock seconds stay the last column, as they were.
    public static let csvHeader =
        "epoch,train_loss,test_loss,test_accuracy,train_eval_loss,train_eval_accuracy,val_loss,val_accuracy,epoch_seconds"
    /// The header of the first release's files (no evaluation on training or validation data),
    /// still read.
    public static let firstHeader = "epoch,train_loss,test_loss,test_accuracy,epoch_seconds"

    /// Parses a row written by `csvRow` (or, with `legacy`, one of the first release); nil for
    /// anything else.
    public init?(csvRow: Substring, legacy: Bool = false) {
        let line = Array(csvRow.utf8)
        guard !line.isEmpty, let row = line.withUnsafeBufferPointer({ EpochMetrics.row($0, legacy: legacy) }) else { return nil }
        self = row
    }

    /// Parses a whole metrics.csv; nil when its header or any row is not as written by the runner.
    public static func parse(csv text: String) -> [EpochMetrics]? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// Parses a whole metrics.csv's bytes, as read from disk (no String made of them first).
    public static func parse(csv bytes: [UInt8]) -> [EpochMetrics]? {
        bytes.withUnsafeBufferPointer { parse(bytes: $0) }
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>) -> [EpochMetrics]? {
        guard let (start, legacy) = body(of: bytes) else { return nil }
        return parseRows(bytes, from: start, legacy: legacy)
    }

    /// How many rows a metrics.csv holds, each read as strictly as `parse` reads it but none
    /// kept; nil when the header or any row is not as written by the runner.
    public static func countRows(csv bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { bytes in
            guard let (start, legacy) = body(of: bytes) else { return nil }
            var count = 0
            return forEachRow(bytes, from: start, legacy: legacy) { _ in count += 1 } ? count : nil
        }
    }

    /// Where the rows start, after a header of either kind, and which kind; nil for another header.
    static func body(of bytes: UnsafeBufferPointer<UInt8>) -> (start: Int, legacy: Bool)? {
        var end = 0
        while end < bytes.count && bytes[end] != 10 { end += 1 }
        let header = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
        guard header == csvHeader || header == firstHeader else { return nil }
        return (end + 1, header == firstHeader)
    }

    /// The text of a metrics.csv holding `rows`.
    public static func csv(_ rows: [EpochMetrics]) -> String {
        ([csvHeader] + rows.map(\.csvRow)).joined(separator: "\n") + "\n"
    }

    /// The CSV row: losses to 8 decimals, accuracies to 4, seconds to 3; empty for a figure
    /// not measured.
    public var csvRow: String {
        func cell(_ v: Double?, _ format: String) -> String { v.map { String(format: format, $0) } ?? "" }
        return "\(epoch)," + String(format: "%.8f,%.8f,%.4f", trainLoss, testLoss, testAccuracy) + ","
            + [cell(trainEvalLoss, "%.8f"), cell(trainEvalAccuracy, "%.4f"), cell(valLoss, "%.8f"), cell(valAccuracy, "%.4f")]
                .joined(separator: ",") + "," + String(format: "%.3f", epochSeconds)
    }
}
