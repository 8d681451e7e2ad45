import Foundation

/// When a run has blown up: the rule that ends it as `diverged`.
///
/// Each task has a level a network that learns nothing reaches. Classification: the loss is a
/// mean negative log-likelihood, and guessing uniformly scores ln(classes) (2.30 for ten
/// classes). Regression: the loss is a mean squared error, and an output of zero scores the
/// mean squared target. A run has diverged when its training or test loss is NaN or infinite,
/// or above `chanceMultiple` times that level (230 for ten classes: the right class gets
/// e^-230 of the probability on average). No run that recovers afterwards gets there;
/// `lr: 1000` passes it in its first epoch.
public enum Divergence {
    /// How many times the chance-level loss counts as blown up.
    public static let chanceMultiple = 100.0

    /// A task's chance level, and how to say it.
    public struct Limit: Sendable {
        public var level: Double
        public var name: String

        /// ln(classes), for classification.
        public init(classes: Int) {
            level = log(Double(max(classes, 2)))
            name = "the chance level ln(\(classes)) = " + String(format: "%.3g", level)
        }

        /// The mean squared training target (the loss of an output of zero), for regression;
        /// with all targets zero, only a NaN or infinite loss counts.
        public init(meanSquaredTarget targets: [Float]) {
            let meanSquare = targets.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(targets.count, 1))
            level = meanSquare > 0 ? meanSquare : .infinity
            name = "the loss of predicting zero, the mean squared target " + String(format: "%.4g", meanSquare)
        }
    }

    /// The largest loss a healthy run of `classes` classes may have.
    public static func limit(classes: Int) -> Double { chanceMultiple * Limit(classes: classes).level }

    /// Why an epoch's losses mean the run diverged, or nil when they do not.
    public static func reason(trainLoss: Double, testLoss: Double, classes: Int, epoch: Int) -> String? {
        reason(trainLoss: trainLoss, testLoss: testLoss, limit: Limit(classes: classes), epoch: epoch)
    }

    public static func reason(trainLoss: Double, testLoss: Double, limit: Limit, epoch: Int) -> String? {
        for (name, loss) in [("training loss", trainLoss), ("test loss", testLoss)] {
            if !loss.isFinite {
                return "\(name) became \(loss.isNaN ? "nan" : "\(loss)") in epoch \(epoch)"  // never "-nan"
            }
            if loss > chanceMultiple * limit.level {
                return "\(name) reached \(String(format: "%.4g", loss)) in epoch \(epoch), over "
                    + String(format: "%.0f", chanceMultiple) + "x " + limit.name
            }
        }
        return nil
    }
}
