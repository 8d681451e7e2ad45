/// How weights start, once for the whole project: the spec's `init:` values (Experiments) and
/// the schemes the engine draws (MLP's `NetworkShape`). The named schemes are PyTorch's
/// `nn.init` functions, and keep biases as `nn.Linear`'s (uniform ±1/√fan_in): the book's
/// notebooks re-initialise weights only. The dropout paper's own forms (pylearn2's `irange`,
/// a fixed Gaussian, deepnet's `DENSE_GAUSSIAN_SQRT_FAN_IN`) start biases at 0, as those
/// programs do.
public enum WeightInit: Hashable, Sendable, CustomStringConvertible {
    /// `nn.Linear`'s default: uniform ±1/√fan_in (kaiming_uniform with a = √5).
    case `default`
    /// `nn.init.kaiming_uniform_` with its defaults (a = 0, fan_in, leaky_relu: gain √2):
    /// uniform ±√2·√(3/fan_in).
    case kaimingUniform
    /// `nn.init.kaiming_normal_` with its defaults: normal, std √2/√fan_in.
    case kaimingNormal
    /// `nn.init.xavier_uniform_` (gain 1): uniform ±√(6/(fan_in + fan_out)).
    case xavierUniform
    /// `nn.init.xavier_normal_` (gain 1): normal, std √(2/(fan_in + fan_out)).
    case xavierNormal
    /// Uniform ±bound, one bound for every dense layer or one per layer (pylearn2's `irange`;
    /// 0 gives zeros, as its `sparse_init: 0` softmax); biases 0.
    case uniform([Double])
    /// Normal with the given standard deviation, one for every layer or one per layer; biases 0.
    case normal([Double])
    /// Normal with standard deviation sigma/√fan_in (deepnet's DENSE_GAUSSIAN_SQRT_FAN_IN), one
    /// sigma for every layer or one per layer (deepnet's first edge keeps its proto's default
    /// 0.001, the others set 1.0); biases 0.
    case normalFanIn([Double])

    /// The named schemes, as a spec spells them.
    public static let named: [(name: String, scheme: WeightInit)] = [
        ("default", .default), ("kaiming_uniform", .kaimingUniform), ("kaiming_normal", .kaimingNormal),
        ("xavier_uniform", .xavierUniform), ("xavier_normal", .xavierNormal)]

    /// The canonical spelling (run ids hash it): a name, `uniform(0.0089/0.0575/0.0)`,
    /// `normal(0.01)`, `normal_fan_in(1.0)`, `normal_fan_in(0.001/1.0/1.0/1.0)`.
    public var description: String {
        switch self {
        case .uniform(let bounds): "uniform(" + bounds.map { "\($0)" }.joined(separator: "/") + ")"
        case .normal(let stds): "normal(" + stds.map { "\($0)" }.joined(separator: "/") + ")"
        case .normalFanIn(let sigmas): "normal_fan_in(" + sigmas.map { "\($0)" }.joined(separator: "/") + ")"
        default: WeightInit.named.first { $0.scheme == self }!.name
        }
    }

    public init?(canonical text: String) {
        if let named = WeightInit.named.first(where: { $0.name == text }) { self = named.scheme; return }
        func values(_ prefix: String) -> [Double]? {
            guard text.hasPrefix(prefix + "("), text.hasSuffix(")") else { return nil }
            let parts = text.dropFirst(prefix.count + 1).dropLast().split(separator: "/").map { Double($0) }
            return parts.isEmpty || parts.contains(nil) ? nil : parts.map { $0! }
        }
        if let v = values("uniform") { self = .uniform(v) }
        else if let v = values("normal_fan_in") { self = .normalFanIn(v) }
        else if let v = values("normal") { self = .normal(v) }
        else { return nil }
    }

    /// Whether biases start at 0 (the paper's forms) rather than as `nn.Linear`'s.
    public var zeroBiases: Bool {
        switch self {
        case .uniform, .normal, .normalFanIn: true
        default: false
        }
    }
}
