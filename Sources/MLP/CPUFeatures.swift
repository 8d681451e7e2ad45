#if canImport(Glibc)
import Glibc
#endif

/// What the CPU offers beyond the baseline the engine is compiled for, read once. On Linux the
/// kernel lists a feature in /proc/cpuinfo only when it also saves the registers it needs, so
/// the flags are the whole answer there; elsewhere both are false and the engine takes its
/// portable path (BLAS).
public enum CPUFeatures {
    /// AVX-512 F, CD, DQ, BW and VL, as `MLPAVX512` is compiled for (Skylake-SP and later,
    /// Zen 4).
    public static let hasAVX512: Bool = ["avx512f", "avx512cd", "avx512dq", "avx512bw", "avx512vl"].allSatisfy(flags.contains)

    /// AVX2 and FMA (with the BMI, F16C, LZCNT and MOVBE that come with them), as `MLPAVX2` is compiled for
    /// (Haswell and later, Zen 1 and later).
    public static let hasAVX2: Bool = ["avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "popcnt"].allSatisfy(flags.contains)

    /// The CPU's flags from /proc/cpuinfo (x86-64 Linux; empty elsewhere).
    private static let flags: Set<String> = {
        #if arch(x86_64) && os(Linux)
        guard let file = fopen("/proc/cpuinfo", "r") else { return [] }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            guard text.hasPrefix("flags") else { continue }
            return Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init))
        }
        return []
        #else
        return []
        #endif
    }()
}
