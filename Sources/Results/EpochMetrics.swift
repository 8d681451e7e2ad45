import Foundation

/// One row of a run's `metrics.csv`: a classification run's losses and accuracies, or a
/// regression run's losses (mean squared error) and errors (RMSE, MAE, R²).
public struct EpochMetrics: Sendable, Equatable {
    /// A regression run's figures on one set of examples besides the loss.
    public struct Errors: Sendable, Equatable {
        public var rmse: Double
        public var mae: Double
        public var r2: Double

        public init(rmse: Double, mae: Double, r2: Double) {
            self.rmse = rmse
            self.mae = mae
            self.r2 = r2
        }
    }

    public var epoch: Int
    /// Mean training loss over the epoch (dropout on, weights changing as it goes).
    public var trainLoss: Double
    /// Mean negative log-likelihood over the test set (regression: mean squared error).
    public var testLoss: Double
    /// Percentage of test examples classified correctly; nil in a regression row.
    public var testAccuracy: Double?
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
    /// Regression: the errors on the test set, the training sample and the validation split.
    public var testErrors: Errors?
    public var trainEvalErrors: Errors?
    public var valErrors: Errors?

    /// Whether the row is a regression run's.
    public var isRegression: Bool { testErrors != nil }

    /// A figure by its metrics.csv name (`val_accuracy`, `test_loss`, `val_rmse`, ... as
    /// `Selection.metrics` lists them); nil for another name or a figure this row does not have.
    public func figure(_ name: String) -> Double? {
        switch name {
        case "val_accuracy": valAccuracy
        case "val_loss": valLoss
        case "test_accuracy": testAccuracy
        case "test_loss": testLoss
        case "train_eval_accuracy": trainEvalAccuracy
        case "train_eval_loss": trainEvalLoss
        case "test_rmse": testErrors?.rmse
        case "test_mae": testErrors?.mae
        case "test_r2": testErrors?.r2
        case "val_rmse": valErrors?.rmse
        case "val_mae": valErrors?.mae
        case "val_r2": valErrors?.r2
        case "train_eval_rmse": trainEvalErrors?.rmse
        case "train_eval_mae": trainEvalErrors?.mae
        case "train_eval_r2": trainEvalErrors?.r2
        default: nil
        }
    }

    public init(epoch: Int, trainLoss: Double, testLoss: Double, testAccuracy: Double?, epochSeconds: Double,
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

    /// A regression row.
    public init(epoch: Int, trainLoss: Double, testLoss: Double, test: Errors, epochSeconds: Double,
                trainEvalLoss: Double? = nil, trainEval: Errors? = nil, valLoss: Double? = nil, val: Errors? = nil) {
        self.init(epoch: epoch, trainLoss: trainLoss, testLoss: testLoss, testAccuracy: nil, epochSeconds: epochSeconds,
                  trainEvalLoss: trainEvalLoss, valLoss: valLoss)
        testErrors = test
        trainEvalErrors = trainEval
        valErrors = val
    }

    /// The row's figures by their metrics.csv column names, in the file's order, without
    /// `epoch`; nil for an empty cell. What exports to other tools write, one series a column.
    public var namedFigures: [(name: String, value: Double?)] {
        if let testErrors {
            func errors(_ prefix: String, _ e: Errors?) -> [(String, Double?)] {
                [(prefix + "_rmse", e?.rmse), (prefix + "_mae", e?.mae), (prefix + "_r2", e?.r2)]
            }
            return [("train_loss", trainLoss), ("test_loss", testLoss)] + errors("test", testErrors)
                + [("train_eval_loss", trainEvalLoss)] + errors("train_eval", trainEvalErrors)
                + [("val_loss", valLoss)] + errors("val", valErrors) + [("epoch_seconds", epochSeconds)]
        }
        return [("train_loss", trainLoss), ("test_loss", testLoss), ("test_accuracy", testAccuracy),
                ("train_eval_loss", trainEvalLoss), ("train_eval_accuracy", trainEvalAccuracy),
                ("val_loss", valLoss), ("val_accuracy", valAccuracy), ("epoch_seconds", epochSeconds)]
    }

    /// The header of metrics.csv; wall-clock seconds stay the last column, as they were.
    public static let csvHeader =
        "epoch,train_loss,test_loss,test_accuracy,train_eval_loss,train_eval_accuracy,val_loss,val_accuracy,epoch_seconds"
    /// The header of a regression run's metrics.csv: each loss (mean squared error) followed
    /// by its RMSE, MAE and R².
    public static let regressionHeader = "epoch,train_loss,test_loss,test_rmse,test_mae,test_r2,"
        + "train_eval_loss,train_eval_rmse,train_eval_mae,train_eval_r2,val_loss,val_rmse,val_mae,val_r2,epoch_seconds"
    /// The header of the first release's files (no evaluation on training or validation data),
    /// still read.
    public static let firstHeader = "epoch,train_loss,test_loss,test_accuracy,epoch_seconds"

    /// Parses a row written by `csvRow` in `layout` (the first release's, say); nil for
    /// anything else.
    public init?(csvRow: Substring, layout: Layout = .current) {
        let line = Array(csvRow.utf8)
        guard !line.isEmpty, let row = line.withUnsafeBufferPointer({ EpochMetrics.row($0, layout: layout) }) else { return nil }
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
        guard let (start, layout) = body(of: bytes) else { return nil }
        return parseRows(bytes, from: start, layout: layout)
    }

    /// How many rows a metrics.csv holds, each read as strictly as `parse` reads it but none
    /// kept; nil when the header or any row is not as written by the runner.
    public static func countRows(csv bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { bytes in
            guard let (start, layout) = body(of: bytes) else { return nil }
            var count = 0
            return forEachRow(bytes, from: start, layout: layout) { _ in count += 1 } ? count : nil
        }
    }

    /// Where the rows start, after a header of any kind, and which kind; nil for another header.
    static func body(of bytes: UnsafeBufferPointer<UInt8>) -> (start: Int, layout: Layout)? {
        var end = 0
        while end < bytes.count && bytes[end] != 10 { end += 1 }
        let header = String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<end]), as: UTF8.self)
        guard let layout = Layout.allCases.first(where: { $0.header == header }) else { return nil }
        return (end + 1, layout)
    }

    /// The text of a metrics.csv holding `rows` (the regression layout when they are a
    /// regression run's, or, with no rows yet, when `regression` says so).
    public static func csv(_ rows: [EpochMetrics], regression: Bool = false) -> String {
        let header = (rows.first?.isRegression ?? regression) ? regressionHeader : csvHeader
        return ([header] + rows.map(\.csvRow)).joined(separator: "\n") + "\n"
    }

    /// The CSV row: losses, errors and R² to 8 decimals, accuracies to 4, seconds to 3; empty
    /// for a figure not measured.
    public var csvRow: String {
        func cell(_ v: Double?, _ format: String) -> String { v.map { String(format: format, $0) } ?? "" }
        if let testErrors {
            func errors(_ e: Errors?) -> [String] { [cell(e?.rmse, "%.8f"), cell(e?.mae, "%.8f"), cell(e?.r2, "%.8f")] }
            return (["\(epoch)", cell(trainLoss, "%.8f"), cell(testLoss, "%.8f")] + errors(testErrors)
                + [cell(trainEvalLoss, "%.8f")] + errors(trainEvalErrors) + [cell(valLoss, "%.8f")] + errors(valErrors)
                + [String(format: "%.3f", epochSeconds)]).joined(separator: ",")
        }
        return "\(epoch)," + String(format: "%.8f,%.8f,%.4f", trainLoss, testLoss, testAccuracy ?? 0) + ","
            + [cell(trainEvalLoss, "%.8f"), cell(trainEvalAccuracy, "%.4f"), cell(valLoss, "%.8f"), cell(valAccuracy, "%.4f")]
                .joined(separator: ",") + "," + String(format: "%.3f", epochSeconds)
    }
}
