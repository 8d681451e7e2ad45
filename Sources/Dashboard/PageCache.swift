import Synchronization

/// What the pages built from each experiment's folder, kept until that folder's fingerprint
/// changes: while a sweep trains, a page that refreshes the index rebuilds only the line of the
/// experiment that moved, not those of the thousand runs that did not (`scripts/bench-ui.sh`).
/// Keys name the part and the experiment (`line/NAME`, `groups/NAME`, `body/NAME`).
final class PageCache: Sendable {
    private let entries = Mutex<[String: (fingerprint: Int, text: String)]>([:])

    /// The text kept for `key` when it was built at `fingerprint`; else `make()`'s, kept.
    func text(_ key: String, fingerprint: Int, make: () -> String) -> String {
        if let kept = entries.withLock({ $0[key] }), kept.fingerprint == fingerprint { return kept.text }
        let text = make()
        entries.withLock { $0[key] = (fingerprint, text) }
        return text
    }

    /// The text kept for the experiment in `store`'s folder, rebuilt when the folder changed.
    func text(_ part: String, _ name: String, directory: String, make: () -> String) -> String {
        text(part + "/" + name, fingerprint: FolderFingerprint.of(directory), make: make)
    }
}
