/// What a run learns, the spec's `task:`, once for the spec, the data and the engine:
/// classes (log-softmax and cross-entropy, accuracy) or numbers (linear outputs and mean
/// squared error, RMSE, MAE and R²). Named so beside Swift's own `Task`.
public enum LearningTask: String, CaseIterable, Sendable, Codable {
    /// Class labels 0..K-1 or names; `nn.CrossEntropyLoss` on the logits.
    case classification
    /// One or more numeric targets per example; `nn.MSELoss` (mean over rows and outputs).
    case regression
}
