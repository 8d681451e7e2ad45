import Foundation
import Results

/// What changes in an experiment's folder when a sweep makes progress, cheaply: each entry's
/// size and modification time (a run folder's changes whenever a file in it is written whole,
/// as runner writes through a rename: status, config, provenance; the folder's own files: plan,
/// selection, seeds and search journals; the spec archive), and the two files runs append to in
/// place (metrics.csv, the log of epochs, and status.json to be safe). Two equal fingerprints:
/// nothing a page shows has changed, so `PageCache` keys on it. (Three stats a run: a thousand
/// runs cost a few milliseconds.)
enum FolderFingerprint {
    static func of(_ directory: String) -> Int {
        var hasher = Hasher()
        func add(_ path: String) {
            var info = stat()
            guard stat(path, &info) == 0 else { hasher.combine(-1); return }
            hasher.combine(info.st_size)
            hasher.combine(info.st_mtim.tv_sec)
            hasher.combine(info.st_mtim.tv_nsec)
        }
        add(directory)
        for entry in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() {
            hasher.combine(entry)
            let path = directory + "/" + entry
            add(path)
            if entry.count == 12, entry.allSatisfy(\.isHexDigit) {
                add(path + "/" + RunStore.metricsFile)
                add(path + "/" + RunStore.statusFile)
            }
        }
        return hasher.finalize()
    }

    /// The fingerprint of every experiment in `root`.
    static func of(root: ResultsRoot) -> Int {
        var hasher = Hasher()
        for name in root.experiments() { hasher.combine(name); hasher.combine(of(root.path + "/" + name)) }
        return hasher.finalize()
    }
}
