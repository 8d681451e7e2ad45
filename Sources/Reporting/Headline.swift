import Results

/// The figure an experiment is read by first, in tables, charts and progress lines:
/// classification's test accuracy (a percentage, higher is better) or regression's test RMSE
/// (in the targets' units, lower is better). An experiment is read by RMSE when every run with
/// figures is a regression run.
public struct Headline: Sendable {
    /// Short, for table headers: `acc` or `rmse`.
    public var short: String
    /// For titles and sentences: `test accuracy` or `test RMSE`.
    public var long: String
    /// The per-epoch figure on the test set, and on the training sample (evaluation mode).
    public var test: @Sendable (EpochMetrics) -> Double?
    public var train: @Sendable (EpochMetrics) -> Double?
    /// The run figures a group table shows: final and best test, final validation, the test
    /// figure at the selected epoch, the final training-sample figure.
    public var final: Groups.Figure
    public var best: Groups.Figure
    public var finalVal: Groups.Figure
    public var atSelected: Groups.Figure
    public var finalTrain: Groups.Figure
    /// Whether it is a percentage (formats add `%`, differences are "points").
    public var isPercentage: Bool
    public var lowerIsBetter: Bool { !isPercentage }

    public static let accuracy = Headline(
        short: "acc", long: "test accuracy", test: { $0.testAccuracy }, train: { $0.trainEvalAccuracy },
        final: .finalTestAccuracy, best: .bestTestAccuracy, finalVal: .finalValAccuracy,
        atSelected: .testAccuracyAtSelected, finalTrain: .finalTrainAccuracy, isPercentage: true)

    public static let rmse = Headline(
        short: "rmse", long: "test RMSE", test: { $0.testErrors?.rmse }, train: { $0.trainEvalErrors?.rmse },
        final: .finalTestRMSE, best: .bestTestRMSE, finalVal: .finalValRMSE,
        atSelected: .testRMSEAtSelected, finalTrain: .finalTrainRMSE, isPercentage: false)

    /// The headline of runs with these rows: RMSE when every run with figures is a regression
    /// run (and there is one), else accuracy.
    public static func of(_ runs: [[EpochMetrics]]) -> Headline {
        let measured = runs.compactMap(\.first)
        return !measured.isEmpty && measured.allSatisfy(\.isRegression) ? .rmse : .accuracy
    }

    /// A value as tables show it: `97.81%` or `0.5312` (`none` when missing).
    public func format(_ value: Double?, none: String = "-") -> String {
        Summary.format(value, isPercentage ? "%.2f%%" : "%.4f", none: none)
    }

    /// A bound or difference without the unit: `97.81` or `0.5312`.
    public var plain: String { isPercentage ? "%.2f" : "%.4f" }
}
