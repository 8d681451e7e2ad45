import Foundation

/// An array in NumPy's own `.npy` format (versions 1–3): the magic `\x93NUMPY`, a header
/// dictionary (`descr`, `fortran_order`, `shape`), then the data, C order. Little-endian
/// floats (float32, float64), signed and unsigned integers and booleans are read, as float32
/// (what the engine trains on; labels are checked to be whole numbers below 256 by the loader). Written by hand:
/// the format is a page of NumPy's documentation (numpy.lib.format), and no Swift package reads
/// it. Every error names the file and, for the data, the element's byte offset.
struct NPYFile {
    var shape: [Int]
    var values: [Float]
    /// Whether the dtype is an integer or boolean one (labels need integers).
    var isInteger: Bool

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    static func fail(_ path: String, _ problem: String) -> DataError {
        DataError(path: path, problem: problem, advice: "save it with numpy.save (C order, a numeric dtype)")
    }

    static func load(_ path: String) throws(DataError) -> NPYFile {
        var info = stat()
        guard stat(path, &info) == 0 else { throw fail(path, "cannot be read (\(String(cString: strerror(errno))))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw fail(path, "not a regular file (a pipe, device, socket or folder)") }
        let size = Int(info.st_size)
        // float32, the usual case: the header from a first read, then the data straight into the
        // array (one copy, from the page cache into the matrix).
        if let float32 = try readFloat32(path, size: size) { return float32 }
        guard let bytes = readWhole(path, size: size) else { throw fail(path, "cannot be read") }
        return try parse(bytes, path: path)
    }

    /// A little-endian float32 array read with no intermediate copy; nil for any other file
    /// (which `parse` then reads, and judges).
    static func readFloat32(_ path: String, size: Int) throws(DataError) -> NPYFile? {
        guard 1.littleEndian == 1 else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: min(size, 4096))
        guard head.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) == head.count, head.count >= 10,
              Array(head[0..<6]) == magic, head[6] == 1 else { return nil }
        let headerEnd = 10 + (Int(head[8]) | Int(head[9]) << 8)
        guard headerEnd <= head.count else { return nil }
        let header = String(decoding: head[10..<headerEnd], as: UTF8.self)
        guard field(header, "descr").flatMap(quoted) == "<f4", field(header, "fortran_order")?.hasPrefix("False") == true,
              let shape = field(header, "shape").flatMap(parseShape) else { return nil }
        var count = 1
        for d in shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o, p <= 1 << 34 else { return nil }
            count = p
        }
        guard size - headerEnd == 4 * count else { return nil }  // truncated or long: parse says which
        var values = [Float](repeating: 0, count: count)
        let ok = values.withUnsafeMutableBytes { raw -> Bool in
            let already = head.count - headerEnd
            head.withUnsafeBytes { raw.baseAddress!.copyMemory(from: $0.baseAddress! + headerEnd, byteCount: already) }
            var done = already
            while done < raw.count {
                let n = read(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return true
        }
        guard ok else { throw fail(path, "cannot be read to its end") }
        return NPYFile(shape: shape, values: values, isInteger: false)
    }

    /// Parses an NPY file's bytes; `path` names it in errors (an NPZ member: `archive.npz: x_train`).
    static func parse(_ bytes: [UInt8], path: String) throws(DataError) -> NPYFile {
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw fail(path, bytes.isEmpty ? "is empty" : "not an NPY file (its first bytes are not \\x93NUMPY)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail(path, "truncated in its header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw fail(path, "NPY format version \(major), runner reads versions 1 to 3")
        }
        guard bytes.count >= headerStart + headerLength else { throw fail(path, "truncated in its header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field(header, "descr").flatMap(quoted) else { throw fail(path, "its header has no dtype ('descr')") }
        guard let fortran = field(header, "fortran_order") else { throw fail(path, "its header has no 'fortran_order'") }
        if fortran.hasPrefix("True") {
            throw fail(path, "is in Fortran order; save it in C order (numpy.ascontiguousarray)")
        }
        guard let shapeText = field(header, "shape"), let shape = parseShape(shapeText) else {
            throw fail(path, "its header has no readable shape")
        }
        // dtype: byte order, kind, size.
        guard descr.count >= 3, let size = Int(descr.dropFirst(2)) else { throw fail(path, "unsupported dtype '\(descr)'") }
        let order = descr.first!, kind = descr.dropFirst().first!
        if order == ">" && size > 1 { throw fail(path, "dtype '\(descr)' is big-endian; save it little-endian (astype('<f4'))") }
        let supported: Bool
        switch kind {
        case "f": supported = size == 4 || size == 8
        case "i", "u": supported = [1, 2, 4, 8].contains(size)
        case "b": supported = size == 1
        default: supported = false
        }
        guard supported else {
            throw fail(path, "unsupported dtype '\(descr)'; runner reads float32, float64, integers and booleans")
        }
        var count = 1
        for d in shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o, p <= 1 << 34 else { throw fail(path, "shape \(shape) is too large") }
            count = p
        }
        let start = headerStart + headerLength
        let needed = count * size
        guard bytes.count - start >= needed else {
            throw fail(path, "truncated: shape \(shape) of '\(descr)' needs \(needed) bytes of data, the file holds \(bytes.count - start)")
        }
        guard bytes.count - start == needed else {
            throw fail(path, "\(bytes.count - start - needed) bytes longer than its shape \(shape) of '\(descr)' describes")
        }
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress! + start
            values.withUnsafeMutableBufferPointer { v in
                func each(_ f: (UnsafeRawPointer) -> Float) { for i in 0..<count { v[i] = f(base + i * size) } }
                switch (kind, size) {
                case ("f", 4): each { Float(bitPattern: UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
                case ("f", _): each { Float(Double(bitPattern: UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)))) }
                case ("i", 1): each { Float($0.load(as: Int8.self)) }
                case ("i", 2): each { Float(Int16(littleEndian: $0.loadUnaligned(as: Int16.self))) }
                case ("i", 4): each { Float(Int32(littleEndian: $0.loadUnaligned(as: Int32.self))) }
                case ("i", _): each { Float(Int64(littleEndian: $0.loadUnaligned(as: Int64.self))) }
                case ("u", 2): each { Float(UInt16(littleEndian: $0.loadUnaligned(as: UInt16.self))) }
                case ("u", 4): each { Float(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
                case ("u", 8): each { Float(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
                default: each { Float($0.load(as: UInt8.self)) }  // u1, b1
                }
            }
        }
        return NPYFile(shape: shape, values: values, isInteger: kind != "f")
    }

    /// The file's bytes in one read into one array (no second copy).
    static func readWhole(_ path: String, size: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? Array(bytes[0..<done]) : nil }
            done += n
        }
        return bytes
    }

    /// The text after `'key':` in the header dictionary, up to the end.
    static func field(_ header: String, _ key: String) -> Substring? {
        for quote in ["'", "\""] {
            if let r = header.range(of: "\(quote)\(key)\(quote)") {
                var rest = header[r.upperBound...].drop { $0 == " " }
                guard rest.first == ":" else { continue }
                rest = rest.dropFirst().drop { $0 == " " }
                return rest
            }
        }
        return nil
    }

    static func quoted(_ text: Substring) -> String? {
        guard let q = text.first, q == "'" || q == "\"", let end = text.dropFirst().firstIndex(of: q) else { return nil }
        return String(text[text.index(after: text.startIndex)..<end])
    }

    /// `(60000, 784)`, `(10,)`, `()`.
    static func parseShape(_ text: Substring) -> [Int]? {
        guard text.first == "(", let close = text.firstIndex(of: ")") else { return nil }
        let inner = text[text.index(after: text.startIndex)..<close]
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let d = Int(t), d >= 0 else { return nil }
            shape.append(d)
        }
        return shape
    }
}
