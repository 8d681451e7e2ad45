import Foundation

/// What a file is now, as far as a cache needs to know: its device and inode (a file replaced
/// by a rename is another inode), size and modification time. Two equal stamps: the same bytes,
/// unless someone rewrote the file in place within one clock tick keeping its size.
public struct FileStamp: Hashable, Sendable, CustomStringConvertible {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int
    public var seconds: Int
    public var nanoseconds: Int

    /// The stamp of the file at `path` (through links); nil when it is not there.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if os(Linux)
        let t = info.st_mtim
        #else
        let t = info.st_mtimespec
        #endif
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int(info.st_size)
        seconds = t.tv_sec
        nanoseconds = t.tv_nsec
    }

    /// Whether this file was modified before `other`.
    public func modified(before other: FileStamp) -> Bool {
        (seconds, nanoseconds) < (other.seconds, other.nanoseconds)
    }

    public var description: String { "\(device)\t\(inode)\t\(size)\t\(seconds).\(nanoseconds)" }
}
