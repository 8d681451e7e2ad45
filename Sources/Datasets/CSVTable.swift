import Foundation

/// A CSV file of numeric features and a label column (or, for regression, one or more numeric
/// target columns), read in one streaming pass: 1 MB
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
    /// Each row's label cell, as written (quotes removed, spaces trimmed); empty with `targets`.
    var labels: [String]
    /// With `Options.numericTargets`: each row's target cells as numbers, row-major, one per
    /// label column.
    var targets: [Float] = []
    /// The line on which each row starts (1-based), for errors about its label.
    var lines: [Int]
    /// The feature columns' names (header names, or indices as text without a header).
    var featureNames: [String]

    struct Options {
        /// The label column, or several joined by `|` (regression targets).
        var label: String
        /// Whether the label columns are numbers to read (regression), each cell checked as a
        /// feature is; else one column of class labels kept as text.
        var numericTargets = false
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

    /// Cells into rows, rows into the table. A line with no quote character (nearly every line
    /// of a numeric file) is split where it lies in the read buffer, its cells parsed in place;
    /// a line with quotes goes through a byte-level state machine (RFC 4180), which also
    /// carries a quoted cell across line breaks. Either way a row is one byte buffer and the
    /// cells' ranges in it: nothing is allocated per cell.
    struct Parser {
        let path: String
        let options: Options
        let expectedFeatures: [String]?
        let fileSize: Int
        var delimiter: UInt8?
        /// Bytes after the last complete line of the chunks so far.
        var carry: [UInt8] = []
        var line = 1
        // The state machine's row (slow path): its bytes, the cells' ranges and columns.
        var rowBytes: [UInt8] = []
        var rowRanges: [Range<Int>] = []
        var rowColumns: [Int] = []
        var cellStart = 0, cellColumn = 1, column = 1, rowLine = 1, cellLine = 1
        var inQuotes = false, afterQuote = false, cellQuoted = false, inRow = false
        var bytesSeen = 0
        // The table.
        var names: [String]?
        var columnCount = 0
        /// The label columns present (none when optional and absent).
        var labelIndices: [Int] = []
        var labelNames: [String] = []
        var featureIndices: [Int] = []
        var featureNames: [String] = []
        var features: [Float] = []
        var labels: [String] = []
        var targets: [Float] = []
        var lines: [Int] = []
        var fastRanges: [Range<Int>] = []
        var fastColumns: [Int] = []

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
            bytesSeen += bytes.count
            carry += bytes
            if delimiter == nil {
                // The most frequent of , ; tab | outside quotes on the first line.
                guard let newline = carry.firstIndex(of: 10) else { return }
                delimiter = CSVTable.detectDelimiter(Array(carry[..<newline]))
            }
            guard let last = carry.lastIndex(of: 10) else { return }
            try carry.withUnsafeBufferPointer { (b) throws(DataError) in try lines(UnsafeBufferPointer(rebasing: b[...last])) }
            carry.removeSubrange(...last)
        }

        /// Complete lines, each ending in `\n`.
        mutating func lines(_ b: UnsafeBufferPointer<UInt8>) throws(DataError) {
            var start = 0
            let n = b.count
            while start < n {
                var end = start
                var quoted = false
                while b[end] != 10 {
                    if b[end] == 34 { quoted = true }
                    end += 1
                }
                let text = UnsafeBufferPointer(rebasing: b[start..<end])
                if quoted || inRow {
                    try machine(UnsafeBufferPointer(rebasing: b[start...end]))
                } else {
                    try fastLine(text)
                }
                start = end + 1
            }
        }

        /// A line without quotes: cells split where they lie.
        mutating func fastLine(_ line: UnsafeBufferPointer<UInt8>) throws(DataError) {
            var text = line
            if let last = text.last, last == 13 { text = UnsafeBufferPointer(rebasing: text.dropLast()) }
            fastRanges.removeAll(keepingCapacity: true)
            fastColumns.removeAll(keepingCapacity: true)
            let delimiter = self.delimiter ?? 44
            var start = 0
            for i in 0..<text.count where text[i] == delimiter {
                fastRanges.append(start..<i)
                fastColumns.append(start + 1)
                start = i + 1
            }
            fastRanges.append(start..<text.count)
            fastColumns.append(start + 1)
            let ranges = fastRanges, columns = fastColumns
            try row(text, ranges, columns, line: self.line)
            self.line += 1
        }

        /// The byte-level state machine, for lines with quotes (and what a quoted cell spans).
        mutating func machine(_ bytes: UnsafeBufferPointer<UInt8>) throws(DataError) {
            let delimiter = self.delimiter ?? 44
            if !inRow {
                inRow = true
                rowLine = line
                column = 1
                cellColumn = 1
                cellStart = 0
                rowBytes.removeAll(keepingCapacity: true)
                rowRanges.removeAll(keepingCapacity: true)
                rowColumns.removeAll(keepingCapacity: true)
            }
            for b in bytes {
                if inQuotes {
                    if b == 34 {
                        inQuotes = false
                        afterQuote = true
                    } else {
                        rowBytes.append(b)
                        if b == 10 { line += 1; column = 0 }
                    }
                    column += 1
                    continue
                }
                if afterQuote && b == 34 {  // "" inside a quoted cell: one quote
                    rowBytes.append(34)
                    inQuotes = true
                    afterQuote = false
                    column += 1
                    continue
                }
                switch b {
                case delimiter:
                    endCell()
                    column += 1
                    cellColumn = column
                case 10:
                    endCell()
                    inRow = false
                    let bytes = rowBytes, ranges = rowRanges, columns = rowColumns
                    try bytes.withUnsafeBufferPointer { (t) throws(DataError) in try row(t, ranges, columns, line: rowLine) }
                    line += 1
                    return
                case 13:
                    column += 1
                case 34 where rowBytes[cellStart...].allSatisfy({ $0 == 32 }) && !cellQuoted:
                    rowBytes.removeSubrange(cellStart...)
                    inQuotes = true
                    cellQuoted = true
                    cellLine = line
                    column += 1
                default:
                    if afterQuote && b != 32 {
                        throw fail(line, column, "a character after the closing quote of a cell; quote the whole cell")
                    }
                    if !afterQuote { rowBytes.append(b) }
                    column += 1
                }
            }
        }

        mutating func endCell() {
            rowRanges.append(cellStart..<rowBytes.count)
            rowColumns.append(cellColumn)
            cellStart = rowBytes.count
            afterQuote = false
            cellQuoted = false
        }

        /// One row: its bytes and each cell's range in them (and column, for errors).
        mutating func row(_ text: UnsafeBufferPointer<UInt8>, _ ranges: [Range<Int>], _ columns: [Int],
                          line rowLine: Int) throws(DataError) {
            // An empty line (one blank cell) is skipped, as pandas skips blank lines.
            if ranges.count == 1 && text[ranges[0]].allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return }
            func cell(_ j: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: text[ranges[j]]) }
            if columnCount == 0 {
                try setColumns((0..<ranges.count).map { String(decoding: cell($0), as: UTF8.self) }, rowLine: rowLine)
                if options.header { return }
            }
            guard ranges.count == columnCount else {
                throw fail(rowLine, columns.last ?? 1, "row has \(ranges.count) field(s), the \(options.header ? "header" : "first row") "
                    + "has \(columnCount) (a ragged row)")
            }
            let decimalComma = delimiter == 59
            for (k, j) in featureIndices.enumerated() {
                guard let v = CSVTable.number(cell(j), decimalComma: decimalComma) else {
                    let shown = DataError.shown(String(decoding: cell(j), as: UTF8.self))
                    throw fail(rowLine, columns[j], "feature \(DataError.shown(featureNames[k])) holds '\(shown)', not a number")
                }
                guard v.isFinite else {
                    throw fail(rowLine, columns[j], "feature \(DataError.shown(featureNames[k])) is \(v); features must be finite numbers")
                }
                features.append(Float(v))
            }
            if options.numericTargets {
                if !options.labelOptional {
                    for (k, j) in labelIndices.enumerated() {
                        guard let v = CSVTable.number(cell(j), decimalComma: decimalComma) else {
                            let shown = DataError.shown(String(decoding: cell(j), as: UTF8.self))
                            throw fail(rowLine, columns[j], "target \(DataError.shown(labelNames[k])) holds '\(shown)', not a number "
                                + "(regression needs numeric targets)")
                        }
                        guard v.isFinite else {
                            throw fail(rowLine, columns[j], "target \(DataError.shown(labelNames[k])) is \(v); targets must be finite numbers")
                        }
                        targets.append(Float(v))
                    }
                }
            } else {
                labels.append(labelIndices.first.map { String(decoding: cell($0), as: UTF8.self).trimmingCharacters(in: .whitespaces) } ?? "")
            }
            lines.append(rowLine)
        }

        /// The columns, from the header or the first row: which is the label, which are features.
        mutating func setColumns(_ cells: [String], rowLine: Int) throws(DataError) {
            columnCount = cells.count
            let header = cells.map { $0.trimmingCharacters(in: .whitespaces) }
            if options.header { names = header }
            func column(_ name: String, _ what: String) throws(DataError) -> Int {
                if let names, let i = names.firstIndex(of: name) { return i }
                if let i = Int(name), i >= 0, i < columnCount { return i }
                let known = names.map { "; the header has " + $0.prefix(12).map(DataError.shown).joined(separator: ", ") + ($0.count > 12 ? ", ..." : "") }
                    ?? "; without a header give a 0-based index below \(columnCount)"
                throw fail(rowLine, 1, "no \(what) column '\(DataError.shown(name))'" + known)
            }
            labelNames = options.label.split(separator: "|").map(String.init)
            if options.labelOptional {
                // New examples to predict: label columns present are left out of the features, unread.
                labelIndices = labelNames.compactMap { name in
                    names.map { $0.firstIndex(of: name) } ?? Int(name).flatMap { $0 >= 0 && $0 < columnCount ? $0 : nil }
                }
            } else {
                labelIndices = []
                for name in labelNames { labelIndices.append(try column(name, "label")) }
            }
            if let wanted = options.features {
                featureIndices = []
                for name in wanted { featureIndices.append(try column(name, "feature")) }
                if let both = featureIndices.first(where: labelIndices.contains) {
                    throw fail(rowLine, 1, "the label column '\(DataError.shown(names?[both] ?? String(both)))' is also listed as a feature")
                }
            } else {
                featureIndices = (0..<columnCount).filter { !labelIndices.contains($0) }
            }
            guard !featureIndices.isEmpty else { throw fail(rowLine, 1, "no feature columns besides the label") }
            featureNames = featureIndices.map { names?[$0] ?? String($0) }
            if let expectedFeatures, expectedFeatures != featureNames {
                throw fail(rowLine, 1, "has \(featureNames.count) feature column(s) (\(featureNames.prefix(6).map(DataError.shown).joined(separator: ", "))"
                    + "\(featureNames.count > 6 ? ", ..." : "")) where the training file has \(expectedFeatures.count) "
                    + "(\(expectedFeatures.prefix(6).map(DataError.shown).joined(separator: ", "))\(expectedFeatures.count > 6 ? ", ..." : ""))")
            }
            // Room for the whole matrix, estimated from this row's length, so the array grows
            // at most once more (peak memory near the matrix itself).
            let rowBytes = max(1, cells.reduce(0) { $0 + $1.utf8.count + 1 })
            features.reserveCapacity(Int(Double(fileSize) / Double(rowBytes) * 1.1) * featureIndices.count + featureIndices.count)
        }

        mutating func finish() throws(DataError) -> CSVTable {
            if delimiter == nil { delimiter = CSVTable.detectDelimiter(carry) }  // one line, no line break
            if !carry.isEmpty {
                carry.append(10)  // the last line, ended
                try carry.withUnsafeBufferPointer { (b) throws(DataError) in try lines(b) }
                carry = []
            }
            if inQuotes || inRow { throw fail(cellLine, 1, "a quoted cell is never closed") }
            if bytesSeen == 0 { throw CSVTable.fail(path, "is empty") }
            guard !lines.isEmpty else {
                throw CSVTable.fail(path, options.header ? "holds a header and no rows" : "holds no rows")
            }
            return CSVTable(features: features, width: featureIndices.count, labels: labels, targets: targets, lines: lines,
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
    static func number(_ cell: UnsafeBufferPointer<UInt8>, decimalComma: Bool = false) -> Double? {
        var lo = 0, hi = cell.count
        while lo < hi && (cell[lo] == 32 || cell[lo] == 9) { lo += 1 }
        while hi > lo && (cell[hi - 1] == 32 || cell[hi - 1] == 9 || cell[hi - 1] == 13) { hi -= 1 }
        guard lo < hi, hi - lo < 64 else { return nil }
        // Fast path: [+-]digits(.digits)? with at most 15 significant digits (exact, see EpochMetrics).
        var i = lo, negative = false
        if cell[i] == 45 || cell[i] == 43 { negative = cell[i] == 45; i += 1 }
        var mantissa: UInt64 = 0, digits = 0, fraction = 0, point = false, any = false
        let comma: UInt8 = decimalComma ? 44 : 46
        while i < hi {
            let c = cell[i]
            if c &- 48 < 10 {
                any = true
                if digits > 0 || c != 48 { digits += 1 }
                mantissa = mantissa &* 10 &+ UInt64(c &- 48)
                if point { fraction += 1 }
            } else if (c == 46 || c == comma) && !point {
                point = true
            } else {
                break
            }
            i += 1
        }
        if i == hi && any && digits <= 15 && fraction <= 22 {
            let v = Double(mantissa) / powersOfTen[fraction]
            return negative ? -v : v
        }
        // Exponents and the rest: Swift's own reader (strtod's rules), refusing hex.
        var text = String(decoding: UnsafeBufferPointer(rebasing: cell[lo..<hi]), as: UTF8.self)
        if decimalComma { text = text.replacingOccurrences(of: ",", with: ".") }
        if text.contains("x") || text.contains("X") { return nil }
        return Double(text)
    }

    private static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }
}
