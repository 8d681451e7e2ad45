import Foundation
import ZIPFoundation

/// NumPy's `.npz`: a ZIP archive of `.npy` files, one per array (`numpy.savez` stores them,
/// `savez_compressed` deflates them; both ZIP64). Read with ZIPFoundation; each member is an
/// `NPYFile`.
enum NPZArchive {
    static func fail(_ path: String, _ problem: String) -> DataError {
        DataError(path: path, problem: problem, advice: "save the arrays with numpy.savez (or savez_compressed)")
    }

    static func array(_ name: String, in path: String) throws(DataError) -> NPYFile {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw fail(path, "not a regular file that can be read")
        }
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw fail(path, "not an NPZ archive (a ZIP file; numpy.savez writes one)")
        }
        guard let entry = archive[name + ".npy"] else {
            let names = archive.map { $0.path }.filter { $0.hasSuffix(".npy") }.map { String($0.dropLast(4)) }.sorted()
            throw fail(path, "holds no array '\(name)'; it holds " + (names.isEmpty ? "none" : names.joined(separator: ", ")))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(entry.uncompressedSize))
        do {
            _ = try archive.extract(entry, skipCRC32: false) { chunk in bytes += chunk }
        } catch {
            throw fail("\(path): \(name)", "cannot be extracted (\(error)); the archive is damaged")
        }
        return try NPYFile.parse(bytes, path: "\(path): \(name)")
    }
}
