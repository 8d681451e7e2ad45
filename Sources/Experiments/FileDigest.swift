import Crypto
import Foundation
import Synchronization

/// The SHA-256 of a data file, read in chunks (a file of gigabytes is never held whole), and
/// remembered by path, device, inode, size and modification time: in this process, and across
/// runs in `$XDG_CACHE_HOME/runner/file-digests.tsv` (else `~/.cache/runner/`), so a rerun or
/// a `runner plan` does not hash gigabytes again. A cache that cannot be written is skipped.
public enum FileDigest {
    public struct Failure: Error, Sendable {
        public var reason: String
    }

    private static let known = Mutex<[String: String]>([:])
    private static let loaded = Mutex(false)

    /// The cache file (`RUNNER_CACHE_DIR` overrides the folder, for tests).
    static var cacheFile: String {
        let env = ProcessInfo.processInfo.environment
        let folder = env["RUNNER_CACHE_DIR"].flatMap { $0.isEmpty ? nil : $0 }
            ?? env["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 + "/runner" }
            ?? (NSHomeDirectory() + "/.cache/runner")
        return folder + "/file-digests.tsv"
    }

    /// Hex SHA-256 of the file at `path` (a regular file, read through any link).
    public static func sha256(_ path: String) throws(Failure) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw Failure(reason: "not a regular file (a pipe, device, socket or folder)")
        }
        guard let stamp = FileStamp(path: path) else { throw Failure(reason: String(cString: strerror(errno))) }
        let key = "\(path)\t\(stamp)"
        loadCache()
        if let hex = known.withLock({ $0[key] }) { return hex }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw Failure(reason: String(cString: strerror(errno))) }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        let hex = ShortDigest.hex(hasher.finalize())
        known.withLock { $0[key] = hex }
        append(key + "\t" + hex + "\n")
        return hex
    }

    private static func loadCache() {
        guard !loaded.withLock({ let was = $0; $0 = true; return was }) else { return }
        guard let text = try? String(contentsOfFile: cacheFile, encoding: .utf8) else { return }
        var entries: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let tab = line.lastIndex(of: "\t") else { continue }
            let hex = line[line.index(after: tab)...]
            guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else { continue }
            entries[String(line[..<tab])] = String(hex)
        }
        known.withLock { $0.merge(entries) { a, _ in a } }
    }

    /// One line added to the cache file (O_APPEND: lines from two processes never interleave).
    private static func append(_ line: String) {
        let file = cacheFile
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        let fd = open(file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
