internal import CFloatEnv

/// Runs the engine's arithmetic with subnormal floats flushed to zero (x86-64; a no-op on CPUs
/// that handle them at full speed).
///
/// In training, a weight whose gradient stays zero (an MNIST border pixel, a unit that never
/// fires) has its velocity halved every step (momentum 0.5) until it passes through the
/// subnormal range, below 1.2e-38, on its way to zero. On x86 every multiply-add that meets such
/// a number takes a microcode assist a hundred times slower than usual; measured, that was a
/// quarter of a training epoch. Flushing them (as TensorFlow does by default, and PyTorch with
/// `torch.set_flush_denormal(True)`) changes nothing a figure could show: only values a
/// billion-billion-billion times smaller than any weight become exactly zero.
enum SubnormalFlush {
    /// `body`, run with subnormals flushed on this thread; the thread's previous mode is
    /// restored afterwards.
    static func around<R>(_ body: () throws -> R) rethrows -> R {
        let saved = runner_float_mode()
        runner_set_float_mode(runner_flushing_subnormals(saved))
        defer { runner_set_float_mode(saved) }
        return try body()
    }
}
