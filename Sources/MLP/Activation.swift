#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// A hidden-layer nonlinearity, with its derivative written in terms of its output
/// (so backward needs only the stored activations).
public extension Activation {
    /// f(z).
    @inline(__always)
    public func apply(_ z: Float) -> Float {
        switch self {
        case .sigmoid: 1 / (1 + expf(-z))
        case .relu: z > 0 ? z : 0
        case .tanh: tanhf(z)
        }
    }

    /// f'(z) given h = f(z).
    @inline(__always)
    public func derivative(output h: Float) -> Float {
        switch self {
        case .sigmoid: h * (1 - h)
        case .relu: h > 0 ? 1 : 0
        case .tanh: 1 - h * h
        }
    }
}
