import Vocabulary
#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

extension Kernels {
    /// PyTorch 1.13's Adam / AdamW step (`_single_tensor_adam`, `_single_tensor_adamw`; no
    /// amsgrad, not maximising), element by element in one pass over p, g, m and v:
    ///
    ///     p  = p · (1 − lr·λ)                      AdamW only (param.mul_)
    ///     g' = g + λ·p                             Adam only (grad.add(param, alpha=λ))
    ///     m  = m·β1 + (1 − β1)·g'                  exp_avg.mul_(β1).add_(g', alpha=1−β1)
    ///     v  = v·β2 + (1 − β2)·g'·g'               exp_avg_sq.mul_(β2).addcmul_(g', g', value=1−β2)
    ///     d  = √v / √(1 − β2^t) + ε                (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
    ///     p  = p + (−lr / (1 − β1^t))·m / d        param.addcdiv_(exp_avg, denom, value=−step_size)
    ///
    /// m and v start at zero. `Reference.adam` is its naive twin in Double.
    public static func adam(parameters p: UnsafeMutablePointer<Float>, gradients g: UnsafePointer<Float>,
                            firstMoment m: UnsafeMutablePointer<Float>, secondMoment v: UnsafeMutablePointer<Float>,
                            count: Int, _ s: AdamScalars) {
        var i = 0
        #if arch(x86_64)
        // Four at a time: sqrtps (SIMD4's squareRoot() goes lane by lane through sqrtf). The
        // same operations in the same order as the loop below, each correctly rounded: the
        // same bits.
        typealias V = SIMD4<Float>
        @inline(__always) func load(_ q: UnsafePointer<Float>) -> V { UnsafeRawPointer(q).loadUnaligned(as: V.self) }
        @inline(__always) func store(_ q: UnsafeMutablePointer<Float>, _ x: V) { UnsafeMutableRawPointer(q).storeBytes(of: x, as: V.self) }
        while i + 4 <= count {
            let weight = load(p + i) * V(repeating: s.decoupledFactor)
            let gradient = s.coupledDecay == 0 ? load(g + i) : load(g + i) + V(repeating: s.coupledDecay) * weight
            let mean = load(m + i) * V(repeating: s.beta1) + V(repeating: s.oneMinusBeta1) * gradient
            let square = load(v + i) * V(repeating: s.beta2) + V(repeating: s.oneMinusBeta2) * gradient * gradient
            store(m + i, mean)
            store(v + i, square)
            let denominator = _mm_sqrt_ps(square) / V(repeating: s.correction2Root) + V(repeating: s.eps)
            store(p + i, weight + V(repeating: s.negativeStepSize) * mean / denominator)
            i += 4
        }
        #endif
        while i < count {
            let weight = p[i] * s.decoupledFactor
            let gradient = s.coupledDecay == 0 ? g[i] : g[i] + s.coupledDecay * weight
            let mean = m[i] * s.beta1 + s.oneMinusBeta1 * gradient
            let square = v[i] * s.beta2 + s.oneMinusBeta2 * gradient * gradient
            m[i] = mean
            v[i] = square
            let denominator = square.squareRoot() / s.correction2Root + s.eps
            p[i] = weight + s.negativeStepSize * mean / denominator
            i += 1
        }
    }
}
