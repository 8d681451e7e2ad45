#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Vocabulary

/// The nonlinearity and the dropout after it, in one pass each way: forward h = f(z + bias)
/// with the inverted-dropout mask drawn, backward dZ = dH · mask · f'(h).
extension Trainer {
    /// h = f(z + bias) over the owning dense layer's outputs, then dropout with probability
    /// `dropout` (0: none) in the same pass.
    func forwardActivation(_ f: Activation, dropout drop: Float, rows: Int, _ walk: inout ForwardWalk) {
        let owner = walk.owner, out = z[owner].baseAddress!, n = shape.layers[owner].outputs
        Kernels.biasActivateDropout(
            z: out, bias: walk.pendingBias!, rows: rows, n: n, activation: f, p: drop, rng: &dropoutRNG,
            mask: masks[owner].baseAddress!, out: dropped[owner].baseAddress!)
        walk.pendingBias = nil
        walk.x = drop > 0 ? dropped[owner].baseAddress! : out
    }

    /// dZ = dH · mask · f'(h) (h is in z) for dense layer `owner`'s activation and its dropout.
    /// - Parameter denseBelow: the dense layer below is next and not the first: when dH arrived
    ///   transposed (the own kernels' input gradient), the pass also writes dZᵀ for its product.
    func backwardActivation(_ activation: Activation, owner: Int, dropout: Bool, rows: Int, denseBelow: Bool,
                            _ walk: inout BackwardWalk) {
        let n = shape.layers[owner].outputs
        let mask: UnsafePointer<Float>? = dropout ? UnsafePointer(masks[owner].baseAddress!) : nil
        if walk.transposedBelow {
            Kernels.transposedActivationDropoutBackward(
                inputGradientColumns.baseAddress!, rows: rows, n: n, h: z[owner].baseAddress!, mask: mask,
                activation: activation, into: walk.delta, deltaColumns: denseBelow ? deltaColumns.baseAddress! : nil)
            walk.transposedBelow = false
            walk.columnsReady = denseBelow
        } else {
            Kernels.activationDropoutBackward(walk.delta, h: z[owner].baseAddress!, mask: mask, count: rows * n,
                                              activation: activation)
        }
    }
}
