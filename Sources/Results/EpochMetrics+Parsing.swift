import Foundation

/// Reading metrics.csv fast and strictly: one pass over the bytes, each figure read as the
/// plain decimal `csvRow` writes ("%.8f", "%.4f", "%.3f"), nothing else accepted (no inf, nan,
/// hex, exponent, plus sign or space), and only values a run can have (no negative loss or
/// seconds, accuracies within [0, 100]). A million-epoch run reads in well under a second.
///
/// Exactness: a decimal of at most 15 significant digits is m / 10^k with m < 2^53 and
/// 10^k exact in a Double, so one correctly rounded division gives the same Double as
/// `strtod` (Clinger's fast path); longer ones go through `Double(_:)`.
extension EpochMetrics {
    /// Parses the rows after the header of a metrics.csv: nil when any is not as written.
    static func parseRows(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, legacy: Bool) -> [EpochMetrics]? {
        var rows: [EpochMetrics] = []
        rows.reserveCapacity(max(0, bytes.count - start) / (legacy ? 30 : 60))
        return forEachRow(bytes, from: start, legacy: legacy) { rows.append($0) } ? rows : nil
    }

    /// Reads the rows after the header one by one, each handed to `body` and then dropped (a
    /// check that needs only their count keeps nothing); false when any is not as written.
    static func forEachRow(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, legacy: Bool,
                           _ body: (EpochMetrics) -> Void) -> Bool {
        var i = start, count = 0
        let n = bytes.count
        while i < n {
            var end = i
            while end < n && bytes[end] != 10 { end += 1 }
            if end > i {  // empty lines are skipped, as a split on newlines does
                guard let row = row(UnsafeBufferPointer(rebasing: bytes[i..<end]), legacy: legacy),
                      row.epoch == count + 1 else { return false }
                body(row)
                count += 1
            }
            i = end + 1
        }
        return true
    }

    private static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// One row's fields: epoch, 3 figures, 4 optional ones (not in `legacy` rows), seconds.
    /// Read into locals, nothing allocated: a million rows read in a fraction of a second.
    static func row(_ line: UnsafeBufferPointer<UInt8>, legacy: Bool) -> EpochMetrics? {
        let count = legacy ? 5 : 9
        // The fields in order; a missing optional figure is nil.
        var epoch = 0.0, a = 0.0, b = 0.0, c = 0.0, seconds = 0.0
        var trainEvalLoss: Double?, trainEvalAccuracy: Double?, valLoss: Double?, valAccuracy: Double?
        var field = 0, i = 0
        while true {
            var end = i
            while end < line.count && line[end] != 44 { end += 1 }  // ','
            guard field < count else { return nil }
            let cell = UnsafeBufferPointer(rebasing: line[i..<end])
            let optional = !legacy && (4..<8).contains(field)
            var value: Double?
            if cell.isEmpty {
                guard optional else { return nil }  // only the optional figures may be empty
            } else {
                guard let v = decimal(cell, integer: field == 0) else { return nil }
                value = v
            }
            switch field {
            case 0: epoch = value!
            case 1: a = value!
            case 2: b = value!
            case 3: c = value!
            case count - 1: seconds = value!
            case 4: trainEvalLoss = value
            case 5: trainEvalAccuracy = value
            case 6: valLoss = value
            default: valAccuracy = value
            }
            field += 1
            if end == line.count { break }
            i = end + 1
        }
        guard field == count else { return nil }
        // Figures as the writer can have them: losses and seconds >= 0, accuracies in [0, 100]
        // (a tampered -50% is not a figure to average).
        func accuracy(_ v: Double?) -> Bool { v.map { $0 >= 0 && $0 <= 100 } ?? true }
        func nonNegative(_ v: Double?) -> Bool { v.map { $0 >= 0 } ?? true }
        guard accuracy(c), accuracy(trainEvalAccuracy), accuracy(valAccuracy), nonNegative(a), nonNegative(b),
              nonNegative(seconds), nonNegative(trainEvalLoss), nonNegative(valLoss) else { return nil }
        return EpochMetrics(epoch: Int(epoch), trainLoss: a, testLoss: b, testAccuracy: c, epochSeconds: seconds,
                            trainEvalLoss: trainEvalLoss, trainEvalAccuracy: trainEvalAccuracy,
                            valLoss: valLoss, valAccuracy: valAccuracy)
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
