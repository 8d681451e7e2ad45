import Foundation

/// Writes files so that no reader ever sees a half-written one: the text goes to a temporary
/// file in the same folder, is flushed to disk, then renamed over the target in one step.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): error: cannot write (\(reason)); check free space and permissions" }
    }

    /// Creates `path` and its missing parents (like `mkdir -p`).
    /// - Throws: `WriteError` with the system's reason (read-only file system, no space, ...).
    public static func createDirectory(_ path: String) throws(WriteError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try createDirectory(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw WriteError(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Replaces `path` with `text`, atomically.
    /// - Throws: `WriteError` (disk full, read-only folder, ...); the old file is then untouched.
    public static func write(_ text: String, to path: String) throws(WriteError) {
        try write(bytes: Array(text.utf8), to: path)
    }

    /// Replaces `path` with `bytes`, atomically.
    public static func write(bytes: [UInt8], to path: String) throws(WriteError) {
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        let temp = (dir.isEmpty ? "" : dir + "/") + ".\(name).\(getpid()).tmp"
        func failure() -> WriteError { WriteError(path: path, reason: String(cString: strerror(errno))) }
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw failure() }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                let error = failure()
                close(fd); unlink(temp)
                throw error
            }
            written += n
        }
        if fsync(fd) != 0 || close(fd) != 0 {
            let error = failure()
            unlink(temp)
            throw error
        }
        guard rename(temp, path) == 0 else {
            let error = failure()
            unlink(temp)
            throw error
        }
    }
}
