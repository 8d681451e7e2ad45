import Foundation
import MLP

/// The engine settings this process chooses from its environment, read here, in the binary,
/// and handed to the engine through its initialiser (the engine reads no environment).
enum EngineChoice {
    /// `RUNNER_KERNELS` (avx512, avx2, naive, blas) when set, else the fastest path this CPU runs.
    static let kernelChoice: Result<Trainer.KernelPath, Trainer.KernelPath.NamingError> = {
        guard let text = ProcessInfo.processInfo.environment["RUNNER_KERNELS"], !text.isEmpty else {
            return .success(.fastest)
        }
        return Trainer.KernelPath.named(text)
    }()

    /// The kernel path every trainer of this process uses (`Main` has refused a bad choice).
    static var kernels: Trainer.KernelPath { (try? kernelChoice.get()) ?? .fastest }
}
