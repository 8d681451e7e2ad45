extension Trainer {
    /// Which kernels do a step's matrix products. Each path is deterministic (the same spec and
    /// seed give the same bits on it); the two round differently, so a run's provenance names
    /// the path that trained it.
    public enum KernelPath: String, Sendable, CaseIterable {
        /// The BLAS (BLIS, Accelerate) for every product; the weight step its GEMM with the
        /// momentum folded in as beta, in row blocks, each followed by `p -= lr * v`: portable.
        case blas = "BLAS"
        /// The engine's own kernels (`MLPAVX512`): `matrixProduct` for the forward and
        /// input-gradient products, each element summed in order with fused multiply-adds, and the
        /// fused weight steps (gradient and optimizer in one pass over W). Needs
        /// `CPUFeatures.hasAVX512`.
        case avx512 = "AVX-512"
        /// The same kernels compiled for AVX2 and FMA (`MLPAVX2`): the same bits as `.avx512`.
        /// Needs `CPUFeatures.hasAVX2`.
        case avx2 = "AVX2"
        /// The own kernels' arithmetic in plain loops (`Reference.gemm`, `.weightGradient`,
        /// `.momentumStep`; Adam's portable step, whose bits the fused one matches): the same bits
        /// as `.avx512` and `.avx2`, on any CPU, slowly. For tests.
        case naive

        /// The fastest path this CPU runs.
        public static var fastest: KernelPath {
            CPUFeatures.hasAVX512 ? .avx512 : CPUFeatures.hasAVX2 ? .avx2 : .blas
        }

        /// The path a user names (`avx512`, `avx2`, `naive`, `blas`, in any case, with or without
        /// the hyphen), when this CPU runs it: how `RUNNER_KERNELS`, which the binaries read, forces
        /// one (`blas` under valgrind, which emulates an older CPU while /proc/cpuinfo shows the
        /// real one; `avx2` or `naive` to compare paths). The engine itself reads no environment.
        /// - Returns: the path, or an error message naming the choices.
        public static func named(_ text: String) -> Result<KernelPath, NamingError> {
            let key = text.lowercased().filter { $0 != "-" }
            guard let path = allCases.first(where: { $0.rawValue.lowercased().filter { $0 != "-" } == key }) else {
                return .failure(NamingError(message: "'\(text)' names no kernel path; use "
                    + allCases.map { $0.rawValue.lowercased().filter { $0 != "-" } }.joined(separator: ", ")))
            }
            guard path.runsHere else {
                return .failure(NamingError(message: "this CPU cannot run the \(path.rawValue) kernels; the fastest it "
                    + "runs is \(fastest.rawValue.lowercased().filter { $0 != "-" })"))
            }
            return .success(path)
        }

        /// Why `named` refused a name.
        public struct NamingError: Error, Sendable { public var message: String }

        /// Whether this CPU has the instructions the path needs.
        public var runsHere: Bool {
            switch self {
            case .avx512: CPUFeatures.hasAVX512
            case .avx2: CPUFeatures.hasAVX2
            case .blas, .naive: true
            }
        }

        /// The own kernels behind the path (nil for BLAS and the naive loops).
        var vector: VectorKernels? {
            switch self {
            case .avx512: .avx512
            case .avx2: .avx2
            case .blas, .naive: nil
            }
        }
    }
}
