import Foundation

/// Reading metrics.csv fast and strictly: one pass over the bytes, each figure read as the
/// plain decimal `csvRow` writes ("%.8f", "%.4f", "%.3f"), nothing else accepted (no inf, nan,
/// hex, exponent, plus sign or space), and only values a run can have (no negative loss, error
/// or seconds, accuracies within [0, 100], R² at most 1). A million-epoch run reads in well under a second.
///
/// Exactness: a decimal of at most 15 significant digits is m / 10^k with m < 2^53 and
/// 10^k exact in a Double, so one correctly rounded division gives the same Double as
/// `strtod` (Clinger's fast path); longer ones go through `Double(_:)`.
extension EpochMetrics {
    /// The kinds of metrics.csv, by header: the first release's, today's classification
    /// file, and a regression run's.
    public enum Layout: CaseIterable, Sendable {
        case first, current, regression

        public var header: String {
            switch self {
            case .first: EpochMetrics.firstHeader
            case .current: EpochMetrics.csvHeader
            case .regression: EpochMetrics.regressionHeader
            }
        }

        /// What each field holds, and so which values it may have.
        enum Field { case epoch, loss, accuracy, error, r2, seconds }

        var fields: [Field] {
            switch self {
            case .first: [.epoch, .loss, .loss, .accuracy, .seconds]
            case .current: [.epoch, .loss, .loss, .accuracy, .loss, .accuracy, .loss, .accuracy, .seconds]
            case .regression: [.epoch, .loss, .loss, .error, .error, .r2, .loss, .error, .error, .r2,
                               .loss, .error, .error, .r2, .seconds]
            }
        }

        /// The fields that may be empty: the training sample's and validation's figures.
        var optional: Range<Int> {
            switch self {
            case .first: 0..<0
            case .current: 4..<8
            case .regression: 6..<14
            }
        }
    }

    /// Parses the rows after the header of a metrics.csv: nil when any is not as written.
    static func parseRows(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, layout: Layout) -> [EpochMetrics]? {
        var rows: [EpochMetrics] = []
        rows.reserveCapacity(max(0, bytes.count - start) / (layout == .first ? 30 : 60))
        return forEachRow(bytes, from: start, layout: layout) { rows.append($0) } ? rows : nil
    }

    /// Reads the rows after the header one by one, each handed to `body` and then dropped (a
    /// check that needs only their count keeps nothing); false when any is not as written.
    static func forEachRow(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, layout: Layout,
                           _ body: (EpochMetrics) -> Void) -> Bool {
        let fields = layout.fields
        var i = start, count = 0
        let n = bytes.count
        return withUnsafeTemporaryAllocation(of: Double?.self, capacity: fields.count) { values in
            while i < n {
                var end = i
                while end < n && bytes[end] != 10 { end += 1 }
                if end > i {  // empty lines are skipped, as a split on newlines does
                    guard let row = row(UnsafeBufferPointer(rebasing: bytes[i..<end]), layout: layout, fields: fields,
                                        values: values),
                          row.epoch == count + 1 else { return false }
                    body(row)
                    count += 1
                }
                i = end + 1
            }
            return true
        }
    }

    private static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// One row in `layout`, nil when it is not as written.
    static func row(_ line: UnsafeBufferPointer<UInt8>, layout: Layout) -> EpochMetrics? {
        let fields = layout.fields
        return withUnsafeTemporaryAllocation(of: Double?.self, capacity: fields.count) {
            row(line, layout: layout, fields: fields, values: $0)
        }
    }

    /// One row's fields into `values` (scratch, one per field; a missing optional figure is
    /// nil), each checked as the writer can have it: losses, errors and seconds >= 0,
    /// accuracies in [0, 100], R² at most 1 (a tampered -50% is not a figure to average).
    /// Nothing allocated: a million rows read in a fraction of a second.
    static func row(_ line: UnsafeBufferPointer<UInt8>, layout: Layout, fields: [Layout.Field],
                    values: UnsafeMutableBufferPointer<Double?>) -> EpochMetrics? {
        let count = fields.count, optional = layout.optional
        var field = 0, i = 0
        while true {
            var end = i
            while end < line.count && line[end] != 44 { end += 1 }  // ','
            guard field < count else { return nil }
            let cell = UnsafeBufferPointer(rebasing: line[i..<end])
            if cell.isEmpty {
                guard optional.contains(field) else { return nil }  // only the optional figures may be empty
                values[field] = nil
            } else {
                guard let v = decimal(cell, integer: field == 0) else { return nil }
                switch fields[field] {
                case .epoch: break
                case .loss, .error, .seconds: guard v >= 0 else { return nil }
                case .accuracy: guard v >= 0 && v <= 100 else { return nil }
                case .r2: guard v <= 1 else { return nil }
                }
                values[field] = v
            }
            field += 1
            if end == line.count { break }
            i = end + 1
        }
        guard field == count, let epoch = values[0] else { return nil }
        switch layout {
        case .first, .current:
            let extra = layout == .current
            return EpochMetrics(epoch: Int(epoch), trainLoss: values[1]!, testLoss: values[2]!, testAccuracy: values[3]!,
                                epochSeconds: values[count - 1]!,
                                trainEvalLoss: extra ? values[4] : nil, trainEvalAccuracy: extra ? values[5] : nil,
                                valLoss: extra ? values[6] : nil, valAccuracy: extra ? values[7] : nil)
        case .regression:
            // An optional loss and its errors are there together or not at all.
            func errors(_ at: Int) -> Errors?? {
                let cells = (at..<(at + 4)).map { values[$0] }
                if cells.allSatisfy({ $0 == nil }) { return .some(nil) }
                guard cells.allSatisfy({ $0 != nil }) else { return nil }
                return Errors(rmse: cells[1]!, mae: cells[2]!, r2: cells[3]!)
            }
            guard let trainEval = errors(6), let val = errors(10) else { return nil }
            return EpochMetrics(epoch: Int(epoch), trainLoss: values[1]!, testLoss: values[2]!,
                                test: Errors(rmse: values[3]!, mae: values[4]!, r2: values[5]!), epochSeconds: values[14]!,
                                trainEvalLoss: values[6], trainEval: trainEval, valLoss: values[10], val: val)
        }
    }

    /// `-?digits(.digits)?`, or only digits for an `integer`; nil for anything else.
    static func decimal(_ s: UnsafeBufferPointer<UInt8>, integer: Bool) -> Double? {
        var i = 0, negative = false
        if s[0] == 45 {  // '-'
            if integer { return nil }
            negative = true
            i = 1
        }
        var mantissa: UInt64 = 0, digits = 0, fraction = 0, sawPoint = false, sawDigit = false
        while i < s.count {
            let c = s[i]
            if c >= 48 && c <= 57 {
                sawDigit = true
                if digits > 0 || c != 48 { digits += 1 }
                if digits <= 19 { mantissa = mantissa &* 10 &+ UInt64(c - 48) }
                if sawPoint { fraction += 1 }
            } else if c == 46 && !sawPoint && !integer {  // '.'
                sawPoint = true
            } else {
                return nil
            }
            i += 1
        }
        guard sawDigit else { return nil }
        let value: Double
        if digits <= 15 && fraction <= 22 {
            value = Double(mantissa) / powersOfTen[fraction]
        } else {
            guard let slow = Double(String(decoding: s, as: UTF8.self)) else { return nil }
            return slow.isFinite ? slow : nil
        }
        return negative ? -value : value
    }
}
