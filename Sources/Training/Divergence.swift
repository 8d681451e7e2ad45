import Foundation

/// When a run has blown up: the rule that ends it as `diverged`.
///
/// A loss is a mean negative log-likelihood. Guessing uniformly scores ln(classes) (2.30 for
/// ten classes), and a network that still learns stays near or below it. A run has diverged
/// when its training or test loss is NaN or infinite, or above `chanceMultiple` times that
/// level (230 for ten classes: the right class gets e^-230 of the probability on average).
/// No run that recovers afterwards gets there; `lr: 1000` passes it in its first epoch.
public enum Divergence {
    /// How many times the chance-level loss counts as blown up.
    public static let chanceMultiple = 100.0

    /// The largest loss a healthy run of `classes` classes may have.
    public static func limit(classes: Int) -> Double { chanceMultiple * log(Double(max(classes, 2))) }

    /// Why an epoch's losses mean the run diverged, or nil when they do not.
    public static func reason(trainLoss: Double, testLoss: Double, classes: Int, epoch: Int) -> String? {
        for (name, loss) in [("training loss", trainLoss), ("test loss", testLoss)] {
            if !loss.isFinite {
                return "\(name) became \(loss) in epoch \(epoch)"
            }
            if loss > limit(classes: classes) {
                return "\(name) reached \(String(format: "%.4g", loss)) in epoch \(epoch), over "
                    + String(format: "%.0f", chanceMultiple) + "x the chance level ln(\(classes)) = "
                    + String(format: "%.3g", log(Double(classes)))
            }
        }
        return nil
    }
}
