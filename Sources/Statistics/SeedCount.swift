import Foundation

/// How many seeds a group needs: the smallest equal number of runs per group at which Welch's
/// two-sided test at level `alpha` detects a true difference of `detect` with probability at
/// least `power`, given the groups' standard deviations (estimated from the seeds run so far).
///
/// Power is computed exactly for Welch's statistic taken as noncentral t: with n runs a group,
/// SE = √((s_a² + s_b²)/n), ν = (n − 1)(s_a² + s_b²)² / (s_a⁴ + s_b⁴) (Welch–Satterthwaite),
/// δ = detect / SE, power = P(|T'| > t₁₋α/₂,ν) for T' ~ t(ν, δ). The noncentral t's tails are
/// integrated over the chi distribution of its denominator (`NoncentralT`). This is the
/// textbook design of Cohen (1988), with Welch's degrees of freedom where Cohen pooled.
public struct SeedCount: Sendable, Equatable {
    /// Runs needed in each group (at least 2); nil when more than `limit` would be needed.
    public var perGroup: Int?
    /// The power those runs reach (or the power at `limit`).
    public var power: Double

    /// - Parameters:
    ///   - sdA, sdB: the groups' standard deviations (> 0 together).
    ///   - detect: the difference to detect (> 0), in the figure's units.
    public init(sdA: Double, sdB: Double, detect: Double, power target: Double = 0.8, alpha: Double = 0.05, limit: Int = 100_000) {
        precondition(detect > 0 && target > 0 && target < 1 && alpha > 0 && alpha < 1)
        var n = 2
        var reached = SeedCount.power(n: n, sdA: sdA, sdB: sdB, detect: detect, alpha: alpha)
        // Doubling, then bisection: power grows with n.
        if reached < target {
            var low = n, high = 4
            while true {
                let p = SeedCount.power(n: high, sdA: sdA, sdB: sdB, detect: detect, alpha: alpha)
                if p >= target { break }
                low = high
                if high >= limit { perGroup = nil; power = p; return }
                high = min(high * 2, limit)
            }
            while high - low > 1 {
                let middle = (low + high) / 2
                if SeedCount.power(n: middle, sdA: sdA, sdB: sdB, detect: detect, alpha: alpha) >= target { high = middle } else { low = middle }
            }
            n = high
            reached = SeedCount.power(n: n, sdA: sdA, sdB: sdB, detect: detect, alpha: alpha)
        }
        perGroup = n
        power = reached
    }

    /// The power of Welch's two-sided test at level `alpha` with `n` runs a group.
    public static func power(n: Int, sdA: Double, sdB: Double, detect: Double, alpha: Double = 0.05) -> Double {
        let va = sdA * sdA, vb = sdB * sdB
        guard va + vb > 0 else { return 1 }
        let se = ((va + vb) / Double(n)).squareRoot()
        let df = Double(n - 1) * (va + vb) * (va + vb) / (va * va + vb * vb)
        let critical = StudentT(degreesOfFreedom: df).quantile(1 - alpha / 2)
        let t = NoncentralT(degreesOfFreedom: df, noncentrality: detect / se)
        return t.survival(critical) + t.cdf(-critical)
    }
}

/// The noncentral t distribution: T' = (Z + δ) / √(V/ν), Z standard normal, V chi-squared
/// with ν degrees of freedom (any real ν > 1/2; Welch's ν is at least 1). P(T' ≤ x) =
/// E[Φ(x √(V/ν) − δ)], integrated over the density of W = √(V/ν) by the trapezoid rule in
/// t = √W (so the integrand vanishes smoothly at 0 even where W's density does not), on a grid
/// wide enough for the tails.
public struct NoncentralT: Sendable {
    public var degreesOfFreedom: Double
    public var noncentrality: Double

    public init(degreesOfFreedom: Double, noncentrality: Double) {
        self.degreesOfFreedom = degreesOfFreedom
        self.noncentrality = noncentrality
    }

    /// P(T' ≤ x).
    public func cdf(_ x: Double) -> Double { integrate { w in 0.5 * erfc(-(x * w - noncentrality) / 2.0.squareRoot()) } }

    /// P(T' > x), computed from the upper tail (accurate where the cdf is near 1).
    public func survival(_ x: Double) -> Double { integrate { w in 0.5 * erfc((x * w - noncentrality) / 2.0.squareRoot()) } }

    /// E[f(W)] for W = √(V/ν), whose density is 2 (ν/2)^(ν/2) w^(ν−1) e^(−ν w²/2) / Γ(ν/2);
    /// in t = √w the integrand gains the factor 2t: t^(2ν−1) at 0, zero for ν > 1/2.
    private func integrate(_ f: (Double) -> Double) -> Double {
        let nu = degreesOfFreedom
        precondition(nu > 0.5, "the noncentral t here needs more than 1/2 degree of freedom")
        // W concentrates around 1 with spread about 1/√(2ν); up to 1 + 40 spreads, at least 12.
        let upper = max(12, 1 + 40 / (2 * nu).squareRoot()).squareRoot()
        let steps = 20_000
        let h = upper / Double(steps)
        let logNorm = log(2) + (nu / 2) * log(nu / 2) - lgamma(nu / 2)
        var sum = 0.0
        for i in 1...steps {
            let t = Double(i) * h, w = t * t
            let weight = exp(log(2 * t) + logNorm + (nu - 1) * log(w) - nu * w * w / 2)
            sum += (i == steps ? 0.5 : 1) * weight * f(w)
        }
        return min(max(sum * h, 0), 1)
    }
}
