/// How weights start, named as PyTorch's `nn.init` functions, once for the whole project: the
/// spec's `init:` values (Experiments) and the schemes the engine draws (MLP's `NetworkShape`).
/// Biases always start as `nn.Linear`'s (uniform ±1/√fan_in): the book's notebooks
/// re-initialise weights only.
public enum WeightInit: String, CaseIterable, Sendable, Codable {
    /// `nn.Linear`'s default: uniform ±1/√fan_in (kaiming_uniform with a = √5).
    case `default`
    /// `nn.init.kaiming_uniform_` with its defaults (a = 0, fan_in, leaky_relu: gain √2):
    /// uniform ±√2·√(3/fan_in).
    case kaimingUniform = "kaiming_uniform"
    /// `nn.init.kaiming_normal_` with its defaults: normal, std √2/√fan_in.
    case kaimingNormal = "kaiming_normal"
    /// `nn.init.xavier_uniform_` (gain 1): uniform ±√(6/(fan_in + fan_out)).
    case xavierUniform = "xavier_uniform"
    /// `nn.init.xavier_normal_` (gain 1): normal, std √(2/(fan_in + fan_out)).
    case xavierNormal = "xavier_normal"
}
