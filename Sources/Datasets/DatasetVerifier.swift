import Crypto
import Foundation

/// Checks a dataset's files against their published SHA-256 before anything trains on them:
/// a file swapped for another dataset's, the test set copied over the training set, or a few
/// flipped pixels all parse as valid IDX and would train silently. Each file is hashed once;
/// the result is kept in `<data>/<name>/.verified` keyed by size and modification time, so a
/// rerun reads nothing more (the cache is best effort: a read-only data folder hashes again).
public enum DatasetVerifier {
    /// The cache's file name inside a dataset's folder.
    public static let cacheFile = ".verified"

    /// - Parameters:
    ///   - checksums: `name/file` → SHA-256 hex of the uncompressed file (the fetcher's table).
    /// - Throws: `DataError` naming the first file whose contents are not the published ones.
    public static func verify(_ name: String, directory: String, checksums: [String: String]) throws(DataError) {
        guard let loader = DatasetRegistry.named(name) else { return }
        let folder = (directory as NSString).appendingPathComponent(name)
        let fix = DatasetRegistry.fetchCommand(name, directory: directory)
        let cachePath = folder + "/" + cacheFile
        var cache = Cache.read(cachePath)
        var changed = false
        for file in loader.files {
            guard let expected = checksums["\(name)/\(file)"] else { continue }
            let raw = folder + "/" + file
            let path = FileManager.default.fileExists(atPath: raw) ? raw : raw + ".gz"
            var info = stat()
            guard stat(path, &info) == 0 else { continue }  // a missing file is the loader's to report
            let key = "\((path as NSString).lastPathComponent) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
            if cache[key] == expected { continue }
            let bytes = try IDXFile.readAll(path: path, fix: fix)
            let sum = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            guard sum == expected else {
                throw DataError(path: path, problem: "not the published \(name) file (SHA-256 \(sum.prefix(12))..., expected "
                    + "\(expected.prefix(12))...): corrupt, or another dataset's", fix: fix)
            }
            cache[key] = sum
            changed = true
        }
        if changed { Cache.write(cache, to: cachePath) }
    }

    /// `file size mtime` → verified SHA-256, one per line.
    enum Cache {
        static func read(_ path: String) -> [String: String] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
            var out: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let tab = line.lastIndex(of: "\t") else { continue }
                out[String(line[..<tab])] = String(line[line.index(after: tab)...])
            }
            return out
        }

        static func write(_ cache: [String: String], to path: String) {
            let text = cache.keys.sorted().map { "\($0)\t\(cache[$0]!)" }.joined(separator: "\n") + "\n"
            let temp = path + ".\(getpid()).tmp"
            guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8)) else { return }
            if rename(temp, path) != 0 { unlink(temp) }
        }
    }
}
