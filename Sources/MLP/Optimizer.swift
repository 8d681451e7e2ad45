import Vocabulary
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How parameters take their step, with PyTorch 1.13's rules (`torch/optim/sgd.py`,
/// `adam.py`, `adamw.py`, single-tensor paths). The learning rate and the weight decay are the
/// trainer's (`Trainer.Hyperparameters.lr`, `.weightDecay`), so schedules change one number.
///
/// SGD keeps its fused paths (the weight gradient never materialised) when it has neither
/// weight decay nor Nesterov momentum; everything else takes the layer's gradient from a GEMM
/// and one fused pass per layer (`Kernels.sgd`, `Kernels.adam`), each with a naive twin in
/// `Reference`.
public enum Optimizer: Sendable, Equatable {
    /// `torch.optim.SGD`: momentum (`Hyperparameters.momentum`), `nesterov`, coupled decay.
    case sgd
    /// `torch.optim.Adam` (`decoupled: false`: the decay is added to the gradient) or
    /// `torch.optim.AdamW` (`decoupled: true`: p *= 1 - lr·decay before the step).
    case adam(Adam)

    public struct Adam: Sendable, Equatable {
        public var beta1: Double
        public var beta2: Double
        public var eps: Double
        public var decoupled: Bool

        public init(beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, decoupled: Bool = false) {
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.decoupled = decoupled
        }

        /// The Float32 numbers of step `step` (1 for the first), computed as PyTorch computes
        /// them: the bias corrections in double precision (Python floats), each narrowed to
        /// float where it meets a tensor.
        public func scalars(step: UInt64, lr: Float, weightDecay: Float) -> AdamScalars {
            let lr = Double(lr), t = Double(step)
            let correction1 = 1 - pow(beta1, t), correction2 = 1 - pow(beta2, t)
            return AdamScalars(
                beta1: Float(beta1), oneMinusBeta1: Float(1 - beta1),
                beta2: Float(beta2), oneMinusBeta2: Float(1 - beta2),
                correction2Root: Float(correction2.squareRoot()), eps: Float(eps),
                negativeStepSize: Float(-(lr / correction1)),
                coupledDecay: decoupled ? 0 : weightDecay,
                decoupledFactor: decoupled ? Float(1 - lr * Double(weightDecay)) : 1)
        }
    }

    /// Whether the optimizer keeps a second moment per parameter (Adam's exp_avg_sq).
    public var hasSecondMoment: Bool {
        if case .adam = self { return true }
        return false
    }
}
