/// The hidden-layer nonlinearities, named once for the whole project: the spec's `activation:`
/// values (Experiments) and the functions the engine computes (MLP extends this type with them).
public enum Activation: String, CaseIterable, Sendable, Codable {
    case sigmoid, relu, tanh
}
