import Foundation
import Results

/// What changes in a results folder when a sweep makes progress, cheaply: for each run folder
/// its status.json's and metrics.csv's sizes and modification times, and the folder's list of
/// runs. Two equal fingerprints: nothing a page shows has changed. (A stat per file: a
/// thousand runs cost a few milliseconds.)
enum FolderFingerprint {
    static func of(_ directory: String) -> Int {
        var hasher = Hasher()
        let fm = FileManager.default
        for entry in ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted() {
            hasher.combine(entry)
            for name in [RunStore.statusFile, RunStore.metricsFile, RunStore.planFile, "seeds.json", "search.json"] {
                var info = stat()
                let path = directory + "/" + entry + "/" + name
                if stat(path, &info) == 0 {
                    hasher.combine(info.st_size)
                    hasher.combine(info.st_mtim.tv_sec)
                    hasher.combine(info.st_mtim.tv_nsec)
                }
            }
        }
        var info = stat()
        if stat(directory + "/" + RunStore.planFile, &info) == 0 {
            hasher.combine(info.st_mtim.tv_sec)
            hasher.combine(info.st_mtim.tv_nsec)
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
