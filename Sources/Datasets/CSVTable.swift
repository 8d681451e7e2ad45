import Foundation

/// A CSV file of numeric features and one label column, read in one streaming pass: 1 MB
/// chunks through a byte-level state machine (RFC 4180: quoted fields with doubled quotes,
/// delimiters and line breaks inside quotes; `\n` or `\r\n` line ends), each feature cell
/// parsed straight into the float matrix, so the file's text is never held whole (a 1 GB
/// file whose last row is bad costs 1 MB of text and the matrix). Written by hand rather than
/// with SwiftCSV (reads the whole text into strings) or CSV.swift (a String per cell): the
/// matrix is the only large allocation, and every error names its line and column.
struct CSVTable {
    /// Feature values, row-major, `width` per row.
    var features: [Float]
    var width: Int
    /// Each row's label cell, as written (quotes removed, spaces trimmed).
    var labels: [String]
    /// The line on which each row starts (1-based), for errors about its label.
    var lines: [Int]
    /// The feature columns' names (header names, or indices as text without a header).
    var featureNames: [String]

    struct Options {
        var label: String
        /// Whether a file without the label column is read anyway (new examples to predict).
        var labelOptional = false
        var features: [String]?
        var header: Bool
        var delimiter: UInt8?
    }

    static let chunkSize = 1 << 20

    /// Reads `path`. The columns are fixed by the first row (or the header); `expected`, when
    /// given, names the feature columns the other file of the dataset has, which this one must
    /// match.
    static func load(_ path: String, options: Options, expectedFeatures: [String]? = nil) throws(DataError) -> CSVTable {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw fail(path, "cannot be read (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw fail(path, "not a regular file (a pipe, device, socket or folder)")
        }
        var parser = Parser(path: path, options: options, expectedFeatures: expectedFeatures, fileSize: Int(info.st_size))
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw fail(path, "cannot be read (\(String(cString: strerror(errno))))") }
            if n == 0 { break }
            try buffer.withUnsafeBufferPointer { (b) throws(DataError) in try parser.consume(UnsafeBufferPointer(rebasing: b[0..<n])) }
        }
        return try parser.finish()
    }

    static func fail(_ path: String, _ problem: String) -> DataError {
        DataError(path: path, problem: problem, advice: "fix the file, or point the spec's dataset at another")
    }

    /// The state machine: cells into rows, rows into the table.
    struct Parser {
        let path: String
        let options: Options
        let expectedFeatures: [String]?
        let fileSize: Int
        var delimiter: UInt8?
        // Where we are.
        var line = 1, column = 1
        var cellLine = 1, cellColumn = 1, rowLine = 1
        var inQuotes = false, quoteSeen = false, afterQuote = false, cellQuoted = false
        var cell: [UInt8] = []
        var row: [[UInt8]] = []
        var rowColumns: [Int] = []  // each cell's column, for errors
        var pendingCR = false
        var firstLine: [UInt8] = []  // the text read before the delimiter is known
        // The table.
        var names: [String]?
        var columnCount = 0
        var labelIndex = 0
        var featureIndices: [Int] = []
        var featureNames: [String] = []
        var features: [Float] = []
        var labels: [String] = []
        var lines: [Int] = []
        var bytesSeen = 0

        init(path: String, options: Options, expectedFeatures: [String]?, fileSize: Int) {
            self.path = path
            self.options = options
            self.expectedFeatures = expectedFeatures
            self.fileSize = fileSize
            self.delimiter = options.delimiter
        }

        func fail(_ line: Int, _ column: Int, _ problem: String) -> DataError {
            CSVTable.fail("\(path):\(line):\(column)", problem)
        }

        mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>) throws(DataError) {
            guard delimiter == nil else { return try scan(bytes) }
            // Detect the delimiter from the first line (the most frequent of , ; tab | outside
            // quotes): hold the text until it ends, then scan what was held.
            firstLine += bytes
            guard let newline = firstLine.firstIndex(of: 10) else { return }
            delimiter = CSVTable.detectDelimiter(Array(firstLine[..<newline]))
            let held = firstLine
            firstLine = []
            try held.withUnsafeBufferPointer { (h) throws(DataError) in try scan(h) }
        }

        mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws(DataError) {
            let delimiter = self.delimiter ?? 44
            for b in bytes {
                bytesSeen += 1
                if pendingCR {
                    pendingCR = false
                    if b == 10 { continue }  // \r\n: the \n ends nothing more
                }
                if inQuotes {
                    if b == 34 {
                        inQuotes = false
                        afterQuote = true
                    } else {
                        cell.append(b)
                        if b == 10 { line += 1; column = 0 }
                    }
                    column += 1
                    continue
                }
                if afterQuote && b == 34 {  // "" inside a quoted cell: one quote
                    cell.append(34)
                    inQuotes = true
                    afterQuote = false
                    column += 1
                    continue
                }
                switch b {
                case delimiter:
                    try endCell()
                    column += 1
                    cellColumn = column
                case 10, 13:
                    try endCell()
                    try endRow()
                    if b == 13 { pendingCR = true }
                    line += 1
                    column = 1
                    cellColumn = 1
                    cellLine = line
                    rowLine = line
                case 34 where cell.allSatisfy({ $0 == 32 }) && !cellQuoted:
                    cell.removeAll(keepingCapacity: true)
                    inQuotes = true
                    cellQuoted = true
                    column += 1
                default:
                    if afterQuote && b != 32 {
                        throw fail(line, column, "a character after the closing quote of a cell; quote the whole cell")
                    }
                    if !afterQuote { cell.append(b) }
                    column += 1
                }
            }
        }

        mutating func endCell() throws(DataError) {
            row.append(cell)
            rowColumns.append(cellColumn)
            cell.removeAll(keepingCapacity: true)
            afterQuote = false
            cellQuoted = false
        }

        mutating func endRow() throws(DataError) {
            defer {
                row.removeAll(keepingCapacity: true)
                rowColumns.removeAll(keepingCapacity: true)
            }
            // An empty line (one empty cell) is skipped, as pandas skips blank lines.
            if row.count == 1 && row[0].allSatisfy({ $0 == 32 || $0 == 9 }) { return }
            if names == nil && columnCount == 0 {
                try setColumns()
                if options.header { return }
            }
            guard row.count == columnCount else {
                throw fail(rowLine, rowColumns.last ?? 1, "row has \(row.count) field(s), the \(options.header ? "header" : "first row") "
                    + "has \(columnCount) (a ragged row)")
            }
            for (k, j) in featureIndices.enumerated() {
                guard let v = CSVTable.number(row[j], decimalComma: delimiter == 59) else {
                    let text = String(decoding: row[j].prefix(40), as: UTF8.self)
                    throw fail(rowLine, rowColumns[j], "feature \(featureNames[k]) holds '\(text)', not a number")
                }
                guard v.isFinite else {
                    throw fail(rowLine, rowColumns[j], "feature \(featureNames[k]) is \(v); features must be finite numbers")
                }
                features.append(Float(v))
            }
            labels.append(labelIndex < 0 ? "" : String(decoding: row[labelIndex], as: UTF8.self).trimmingCharacters(in: .whitespaces))
            lines.append(rowLine)
        }

        /// The columns, from the header or the first row: which is the label, which are features.
        mutating func setColumns() throws(DataError) {
            columnCount = row.count
            let header = row.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces) }
            if options.header { names = header }
            func column(_ name: String, _ what: String) throws(DataError) -> Int {
                if let names, let i = names.firstIndex(of: name) { return i }
                if let i = Int(name), i >= 0, i < columnCount { return i }
                let known = names.map { "; the header has " + $0.prefix(12).joined(separator: ", ") + ($0.count > 12 ? ", ..." : "") }
                    ?? "; without a header give a 0-based index below \(columnCount)"
                throw fail(rowLine, 1, "no \(what) column '\(name)'" + known)
            }
            if options.labelOptional && !(names?.contains(options.label) ?? (Int(options.label).map { $0 < columnCount } ?? false)) {
                labelIndex = -1
            } else {
                labelIndex = try column(options.label, "label")
            }
            if let wanted = options.features {
                featureIndices = []
                for name in wanted { featureIndices.append(try column(name, "feature")) }
                if featureIndices.contains(labelIndex) {
                    throw fail(rowLine, 1, "the label column '\(options.label)' is also listed as a feature")
                }
            } else {
                featureIndices = (0..<columnCount).filter { $0 != labelIndex }
            }
            guard !featureIndices.isEmpty else { throw fail(rowLine, 1, "no feature columns besides the label") }
            featureNames = featureIndices.map { names?[$0] ?? String($0) }
            if let expectedFeatures, expectedFeatures != featureNames {
                throw fail(rowLine, 1, "has \(featureNames.count) feature column(s) (\(featureNames.prefix(6).joined(separator: ", "))"
                    + "\(featureNames.count > 6 ? ", ..." : "")) where the training file has \(expectedFeatures.count) "
                    + "(\(expectedFeatures.prefix(6).joined(separator: ", "))\(expectedFeatures.count > 6 ? ", ..." : ""))")
            }
            // Room for the whole matrix, estimated from the first row's length, so the array
            // grows at most once more (peak memory near the matrix itself).
            let rowBytes = max(1, row.reduce(0) { $0 + $1.count + 1 })
            features.reserveCapacity(Int(Double(fileSize) / Double(rowBytes) * 1.1) * featureIndices.count + featureIndices.count)
        }

        mutating func finish() throws(DataError) -> CSVTable {
            if delimiter == nil {  // one line and no line break at all
                delimiter = CSVTable.detectDelimiter(firstLine)
                let held = firstLine
                firstLine = []
                try held.withUnsafeBufferPointer { (h) throws(DataError) in try scan(h) }
            }
            if inQuotes { throw fail(cellLine, cellColumn, "a quoted cell is never closed") }
            if !cell.isEmpty || !row.isEmpty { try endCell(); try endRow() }
            if bytesSeen == 0 { throw CSVTable.fail(path, "is empty") }
            guard !labels.isEmpty else {
                throw CSVTable.fail(path, options.header ? "holds a header and no rows" : "holds no rows")
            }
            return CSVTable(features: features, width: featureIndices.count, labels: labels, lines: lines,
                            featureNames: featureNames)
        }
    }

    static func detectDelimiter(_ line: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [44: 0, 59: 0, 9: 0, 124: 0]
        var quoted = false
        for b in line {
            if b == 34 { quoted.toggle() }
            if !quoted, counts[b] != nil { counts[b]! += 1 }
        }
        return [44, 59, 9, 124].max { counts[$0]! < counts[$1]! }.flatMap { counts[$0]! > 0 ? $0 : nil } ?? 44
    }

    /// A cell as a number: decimal, with an optional sign, fraction and exponent, surrounded by
    /// spaces or not; `nan`/`inf` are read (and refused by the caller); nil for anything else.
    /// With `decimalComma` (a `;`-separated file, as spreadsheets in much of Europe write them)
    /// `1,5` is 1.5.
    static func number(_ cell: [UInt8], decimalComma: Bool = false) -> Double? {
        if decimalComma, let comma = cell.firstIndex(of: 44) {
            var copy = cell
            copy[comma] = 46
            return copy.contains(44) ? nil : number(copy)
        }
        var bytes = cell[...]
        while let f = bytes.first, f == 32 || f == 9 { bytes = bytes.dropFirst() }
        while let l = bytes.last, l == 32 || l == 9 { bytes = bytes.dropLast() }
        guard !bytes.isEmpty, bytes.count < 64 else { return nil }
        // Fast path: -?digits(.digits)? with at most 15 significant digits (exact, see EpochMetrics).
        var i = bytes.startIndex, negative = false
        if bytes[i] == 45 || bytes[i] == 43 { negative = bytes[i] == 45; i += 1 }
        var mantissa: UInt64 = 0, digits = 0, fraction = 0, point = false, any = false, simple = true
        while i < bytes.endIndex {
            let c = bytes[i]
            if c >= 48 && c <= 57 {
                any = true
                if digits > 0 || c != 48 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(c - 48)
                if point { fraction += 1 }
            } else if c == 46 && !point {
                point = true
            } else {
                simple = false
                break
            }
            i += 1
        }
        if simple && any && digits <= 15 && fraction <= 22 {
            let v = Double(mantissa) / powersOfTen[fraction]
            return negative ? -v : v
        }
        // Exponents and the rest: Swift's own reader (strtod's rules), refusing hex.
        let text = String(decoding: bytes, as: UTF8.self)
        if text.lowercased().contains("x") { return nil }
        return Double(text)
    }

    private static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }
}
