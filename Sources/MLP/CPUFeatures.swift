#if canImport(Glibc)
import Glibc
#endif

/// What the CPU offers beyond the baseline the engine is compiled for, read once.
public enum CPUFeatures {
    /// AVX-512 F, CD, DQ, BW and VL, as `MLPAVX512` is compiled for (Skylake-SP and later,
    /// Zen 4). On Linux the kernel lists a feature in /proc/cpuinfo only when it also saves the
    /// registers it needs, so the flags are the whole answer there; elsewhere this is false
    /// and the engine takes its portable path.
    public static let hasAVX512: Bool = {
        #if arch(x86_64) && os(Linux)
        guard let file = fopen("/proc/cpuinfo", "r") else { return false }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>? = nil
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0, let line {
            let text = String(cString: line)
            guard text.hasPrefix("flags") else { continue }
            let flags = Set(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }))
            return ["avx512f", "avx512cd", "avx512dq", "avx512bw", "avx512vl"].allSatisfy { flags.contains($0[...]) }
        }
        return false
        #else
        return false
        #endif
    }()
}
