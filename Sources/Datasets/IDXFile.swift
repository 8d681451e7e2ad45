import Foundation
internal import CSystemZlib

/// An IDX file (the MNIST format): a magic number naming the element type and rank, the
/// dimensions as big-endian UInt32, then the unsigned bytes. Raw or gzip-compressed.
public struct IDXFile: Sendable {
    /// The dimensions, outermost first: [count, rows, columns] for images, [count] for labels.
    public var dimensions: [Int]
    /// The payload, row-major.
    public var bytes: [UInt8]

    /// Largest file accepted (decompressed): guards against a corrupt header or a gzip bomb.
    public static let maxBytes = 1 << 30

    /// Reads and validates an IDX file of unsigned bytes.
    /// - Parameters:
    ///   - path: the file; read through zlib, so `.gz` and raw files both work.
    ///   - rank: the number of dimensions expected (3 for images, 1 for labels).
    ///   - fix: the command that fetches a good copy, quoted in errors.
    /// - Throws: `DataError` when the file is missing, truncated, too long, or has the wrong magic.
    public init(path: String, rank: Int, fix: String) throws(DataError) {
        let data = try IDXFile.readAll(path: path, fix: fix)
        func fail(_ problem: String) -> DataError { DataError(path: path, problem: problem, fix: fix) }
        guard data.count >= 4 else {
            throw fail("truncated: \(data.count) bytes, too short for an IDX header")
        }
        let expectedMagic = "0x0000080\(rank)"
        guard data[0] == 0, data[1] == 0, data[2] == 0x08, Int(data[3]) == rank else {
            let magic = data.prefix(4).map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
            throw fail("wrong magic number 0x\(magic), expected \(expectedMagic) (an IDX file of "
                + "unsigned bytes with \(rank) dimension\(rank == 1 ? "" : "s")); is this the right file?")
        }
        let headerSize = 4 + 4 * rank
        guard data.count >= headerSize else {
            throw fail("truncated: \(data.count) bytes, too short for its \(headerSize)-byte header")
        }
        var dims: [Int] = []
        for d in 0..<rank {
            let o = 4 + 4 * d
            dims.append(Int(data[o]) << 24 | Int(data[o + 1]) << 16 | Int(data[o + 2]) << 8 | Int(data[o + 3]))
        }
        let (payload, overflow) = dims.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        guard !overflow, payload <= IDXFile.maxBytes else {
            throw fail("header claims dimensions \(dims), too large to be MNIST data")
        }
        let actual = data.count - headerSize
        if actual < payload {
            let shape = dims.count > 1 ? dims.map(String.init).joined(separator: "x") + " = " : ""
            throw fail("truncated: header promises \(shape)\(payload) bytes of data, the file holds \(actual)")
        }
        if actual > payload {
            throw fail("\(actual - payload) bytes longer than its header (\(dims.map(String.init).joined(separator: "x"))) describes")
        }
        dimensions = dims
        bytes = Array(data[headerSize...])
    }

    /// The whole file, decompressed when it is gzip (for checksums and parsing).
    public static func readAll(path: String, fix: String) throws(DataError) -> [UInt8] {
        // A regular file only: opening a FIFO or a device would block or read forever (the
        // checks spec files get). stat follows a link to its target, which must be a file too.
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw DataError(path: path, problem: "not a regular file (a pipe, device, socket or folder)", fix: fix)
            }
            guard info.st_size <= off_t(maxBytes + 64) else {
                throw DataError(path: path, problem: "larger than \(maxBytes) bytes; not an MNIST file", fix: fix)
            }
        }
        guard let file = gzopen(path, "rb") else {
            throw DataError(path: path, problem: "missing or unreadable", fix: fix)
        }
        defer { gzclose(file) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
                throw DataError(path: path, problem: "unreadable (\(message))", fix: fix)
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
            if out.count > maxBytes + 64 {
                throw DataError(path: path, problem: "larger than \(maxBytes) bytes; not an MNIST file", fix: fix)
            }
        }
        // A gzip stream cut short reads as a clean end of file; zlib reports it here.
        var code: Int32 = 0
        _ = gzerror(file, &code)
        if code == Z_BUF_ERROR {
            throw DataError(path: path, problem: "truncated gzip stream (unexpected end of file)", fix: fix)
        }
        return out
    }
}
