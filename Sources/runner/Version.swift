import Foundation
import MLP
import Results

/// What `runner --version` prints and every run folder records: the release, the commit it
/// was built from (when the binary sits in a git checkout, as `swift build` leaves it), and
/// the engine's kernels and BLAS on this machine.
enum Version {
    /// The release number, raised with each landing that changes behaviour.
    static let number = "0.4.0"

    /// The commit of the checkout holding this binary (with `-dirty` for uncommitted changes),
    /// or "unknown" for a binary copied out of one.
    static let commit: String = {
        guard let binary = Bundle.main.executablePath else { return "unknown" }
        let dir = AtomicFile.parent(of: binary)
        guard let head = git(["-C", dir, "rev-parse", "--short=12", "HEAD"]), !head.isEmpty else { return "unknown" }
        let dirty = git(["-C", dir, "status", "--porcelain", "--untracked-files=no"]).map { !$0.isEmpty } ?? false
        return head + (dirty ? "-dirty" : "")
    }()

    /// The engine on this machine, e.g. "kernels: AVX-512; BLAS: BLIS 0.9.0 (zen3 kernels)".
    static var engine: String { "kernels: \(EngineChoice.kernels.rawValue); BLAS: \(BLAS.configuration)" }

    static var description: String { "runner \(number) (commit \(commit))\nengine: \(engine)" }

    private static func git(_ arguments: [String]) -> String? {
        Subprocess.output(["git"] + arguments).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
