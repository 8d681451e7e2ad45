/// The datasets the runner can load, named once for the whole project, with the shape of each:
/// what a plan needs to check a run before any file is read (subset sizes, memory). The
/// registry (Datasets) has one loader per case, by an exhaustive switch, and each loader
/// checks its files against this shape.
public enum DatasetName: String, CaseIterable, Sendable, Codable {
    case mnist
    case fashionMNIST = "fashion-mnist"

    /// Inputs per example (28 x 28 pixels for both).
    public var inputs: Int { 28 * 28 }
    /// Number of classes.
    public var classes: Int { 10 }
    /// Examples in the training split.
    public var trainCount: Int { 60_000 }
    /// Examples in the test split.
    public var testCount: Int { 10_000 }
}
