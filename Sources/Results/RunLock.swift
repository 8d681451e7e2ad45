import Foundation

/// An exclusive claim on one run's folder, so two runners sharing a results folder (two
/// sweeps started at once, overlapping job arrays) never train the same run or interleave
/// its writes. An advisory `flock` on `<run>/.lock`: the kernel releases it when the holder
/// exits, even by SIGKILL, so a crash never leaves a stale lock behind.
public final class RunLock {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Why a lock could not be taken.
    public enum Failure: Error {
        /// Another process holds it; its pid, when it wrote one.
        case busy(pid: Int32?)
        case unavailable(AtomicFile.WriteError)
    }

    /// Takes the lock of the run folder `directory` (created if needed) without waiting.
    public static func acquire(directory: String) throws(Failure) -> RunLock {
        do throws(AtomicFile.WriteError) {
            try AtomicFile.createDirectory(directory)
        } catch {
            throw .unavailable(error)
        }
        let path = directory + "/.lock"
        // Never through a link (the folder or the file): a link planted there would make runner
        // write its pid into whatever it points at. A hard link shows as a second name.
        do throws(AtomicFile.WriteError) {
            try AtomicFile.requireRealDirectory(directory)
        } catch {
            throw .unavailable(error)
        }
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link, which runner never follows; remove it"
                : String(cString: strerror(errno))
            throw .unavailable(AtomicFile.WriteError(path: path, reason: reason, advice: errno != ELOOP))
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1 else {
            close(fd)
            throw .unavailable(AtomicFile.WriteError(
                path: path, reason: "it is not a plain file of its own (a hard link or a special file); remove it",
                advice: false))
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            close(fd)
            let pid = n > 0 ? Int32(String(decoding: buffer[0..<n], as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)) : nil
            throw .busy(pid: pid)
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return RunLock(fd: fd)
    }

    /// True when a process holds the lock of the run folder `directory` now. False when none
    /// does: a run whose status still says running was then killed (SIGKILL, a lost node),
    /// and is in fact interrupted. A shared lock taken and dropped at once, so it never
    /// blocks a runner for longer than the probe.
    public static func isHeld(directory: String) -> Bool {
        let fd = open(directory + "/.lock", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return errno == EWOULDBLOCK }
        flock(fd, LOCK_UN)
        return false
    }
}
