import Foundation

/// An exclusive lock on a folder itself (`flock` on the folder's own descriptor: nothing is
/// written in it), for a check and a claim that must be one step across processes: the
/// experiment names a runner checks and the specs it records are done under its results
/// folder's lock, so two runners started at the same moment with different specs of one name
/// cannot both find the name free. Held for milliseconds; released when the value goes away.
public final class FolderLock {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Locks `directory` (created, with its parents, when missing), waiting for another
    /// process that holds it; `waiting` is called once first when it must wait.
    /// - Throws: `AtomicFile.WriteError` when the folder cannot be created or opened.
    public static func acquire(_ directory: String, waiting: () -> Void = {}) throws(AtomicFile.WriteError) -> FolderLock {
        try AtomicFile.createDirectory(directory)
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFile.WriteError(path: directory, reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            waiting()
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        }
        return FolderLock(fd: fd)
    }
}
