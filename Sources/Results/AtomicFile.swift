import Foundation

/// Writes files so that no reader ever sees a half-written one: the text goes to a temporary
/// file in the same folder, is flushed to disk, then renamed over the target in one step.
///
/// Nothing here follows a symbolic link: the temporary file is created fresh (`O_EXCL |
/// O_NOFOLLOW`), and `rename` replaces a link at the target rather than writing through it.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        /// Whether to suggest checking free space and permissions (the usual causes).
        public var advice = true

        public init(path: String, reason: String, advice: Bool = true) {
            self.path = path
            self.reason = reason
            self.advice = advice
        }

        public var description: String {
            "\(path): error: cannot write (\(reason))" + (advice ? "; check free space and permissions" : "")
        }
    }

    /// Checks that `path` is a real folder, not a symbolic link to one (for the folders runner
    /// creates inside an experiment's folder, which a link would redirect elsewhere).
    /// - Throws: `WriteError` when it is a link or not a folder.
    public static func requireRealDirectory(_ path: String) throws(WriteError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        if info.st_mode & S_IFMT == S_IFLNK {
            throw WriteError(path: path, reason: "it is a symbolic link, which runner never follows inside a results "
                + "folder; remove the link", advice: false)
        }
        if info.st_mode & S_IFMT != S_IFDIR {
            throw WriteError(path: path, reason: "it is not a folder; remove it", advice: false)
        }
    }

    /// The folder part of a path ("" for a bare name, "/" for a top-level one). By hand:
    /// Foundation's `deletingLastPathComponent` traps on a one-character relative path such
    /// as "r" (swift-corelibs-foundation in Swift 6.3.1).
    public static func parent(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        return slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
    }

    /// Creates `path` and its missing parents (like `mkdir -p`).
    /// - Throws: `WriteError` with the system's reason (read-only file system, no space, ...).
    public static func createDirectory(_ path: String) throws(WriteError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return }
        let parent = AtomicFile.parent(of: path)
        if !parent.isEmpty && parent != path { try createDirectory(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw WriteError(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Creates `path` (and its missing parents) and checks that it is a real folder, not a
    /// link to one: for the folders runner keeps inside an experiment's folder (`specs`,
    /// `slurm`, `slurm/logs`), which a planted link would redirect outside it.
    /// - Throws: `WriteError` when it cannot be created or is a link or not a folder.
    public static func createRealDirectory(_ path: String) throws(WriteError) {
        try createDirectory(path)
        try requireRealDirectory(path)
    }

    /// Replaces `path` with `text`, atomically.
    /// - Throws: `WriteError` (disk full, read-only folder, ...); the old file is then untouched.
    public static func write(_ text: String, to path: String) throws(WriteError) {
        try write(bytes: Array(text.utf8), to: path)
    }

    /// Replaces `path` with `value` as JSON (indented, keys sorted, a final newline), atomically:
    /// the form of the decision journals (pruning.json, search.json, seeds.json).
    public static func writeJSON<Value: Encodable>(_ value: Value, to path: String) throws(WriteError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try write(String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self) + "\n", to: path)
    }

    /// Replaces `path` with `text` unless it already holds exactly that text (then it is left
    /// alone, its modification time too). A link there is replaced, never read through.
    /// - Returns: whether the file was written.
    public static func update(_ text: String, at path: String) throws(WriteError) -> Bool {
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, Int(info.st_size) == text.utf8.count,
           let data = FileManager.default.contents(atPath: path), data.elementsEqual(text.utf8) { return false }
        try write(text, to: path)
        return true
    }

    /// Replaces `path` with `bytes`, atomically.
    public static func write(bytes: [UInt8], to path: String) throws(WriteError) {
        let dir = AtomicFile.parent(of: path)
        let name = (path as NSString).lastPathComponent
        let temp = (dir.isEmpty ? "" : dir + "/") + ".\(name).\(getpid()).tmp"
        func failure() -> WriteError { WriteError(path: path, reason: String(cString: strerror(errno))) }
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        var fd = open(temp, flags, 0o644)
        if fd < 0 && errno == EEXIST {
            // Left by a killed process with our pid, or planted: remove the name, never open it.
            unlink(temp)
            fd = open(temp, flags, 0o644)
        }
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
        TestPoint.reached("temp:" + name)
        guard rename(temp, path) == 0 else {
            let error = failure()
            unlink(temp)
            throw error
        }
        TestPoint.reached("write:" + name)
    }
}
