/// One Adam or AdamW step's numbers in Float32, computed once a step (MLP's
/// `Optimizer.Adam.scalars`) and read by every kernel that takes the step: the portable
/// `Kernels.adam` (MLP) and the fused weight steps of MLPAVX512 and MLPAVX2, which cannot see
/// MLP. One type, here, so all three read the same fields.
public struct AdamScalars: Sendable, Equatable {
    public var beta1, oneMinusBeta1, beta2, oneMinusBeta2: Float
    /// √(1 − beta2^t)
    public var correction2Root: Float
    public var eps: Float
    /// −lr / (1 − beta1^t)
    public var negativeStepSize: Float
    /// Adam's weight decay, added to the gradient (0 for AdamW).
    public var coupledDecay: Float
    /// AdamW's 1 − lr·weight_decay (1 for Adam).
    public var decoupledFactor: Float

    public init(beta1: Float, oneMinusBeta1: Float, beta2: Float, oneMinusBeta2: Float, correction2Root: Float,
                eps: Float, negativeStepSize: Float, coupledDecay: Float, decoupledFactor: Float) {
        self.beta1 = beta1; self.oneMinusBeta1 = oneMinusBeta1
        self.beta2 = beta2; self.oneMinusBeta2 = oneMinusBeta2
        self.correction2Root = correction2Root; self.eps = eps; self.negativeStepSize = negativeStepSize
        self.coupledDecay = coupledDecay; self.decoupledFactor = decoupledFactor
    }
}
