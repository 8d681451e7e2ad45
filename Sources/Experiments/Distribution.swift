import Foundation
import SpecYAML
import Vocabulary

/// A sampled sweep parameter: where its values come from (`sweep: {lr: {log_uniform: [1e-4,
/// 1e-1]}}`), drawn `samples:` times.
///
///     {uniform: [a, b]}            a + u (b − a)
///     {log_uniform: [a, b]}        a (b / a)^u                 (a > 0); also {uniform: ..., log: true}
///     {int_uniform: [a, b]}        an integer in a...b, each equally likely
///     {int_uniform: [a, b], log: true}   ⌊a ((b + 1) / a)^u⌋, clamped to b (a ≥ 1)
///     {choice: [v1, v2, ...]}      one of the values, each equally likely
///
/// u is uniform in [0, 1). Real draws keep 4 significant digits (0.003162, not
/// 0.0031622776601683794): what run names show and run ids hash. Every drawn value is checked
/// as the parameter checks a written one, at the distribution's place in the spec.
public struct Distribution: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case uniform(low: Double, high: Double, log: Bool)
        case intUniform(low: Int, high: Int, log: Bool)
        case choice([ParameterValue])
    }

    public var kind: Kind
    public var mark: Mark

    /// The keys a distribution can be written with.
    static let keys = ["uniform", "log_uniform", "int_uniform", "choice"]

    /// Whether it has finitely many values (`int_uniform`, `choice`), and how many.
    public var pointCount: Int? {
        switch kind {
        case .uniform: nil
        case .intUniform(let low, let high, _):
            // high − low + 1, saturating: [0, Int.max] has more points than an Int counts.
            high.subtractingReportingOverflow(low).overflow || high &- low == Int.max ? Int.max : high - low + 1
        case .choice(let values): values.count
        }
    }

    /// Whether the values are spread on a log scale (for charts' axes).
    public var isLog: Bool {
        switch kind {
        case .uniform(_, _, let logScale), .intUniform(_, _, let logScale): logScale
        case .choice: false
        }
    }

    /// Whether `node` is written as a distribution (a mapping with one of `keys`).
    static func isDistribution(_ node: Node) -> Bool {
        guard case .mapping(let map) = node else { return false }
        return map.entries.contains { keys.contains($0.key.value) }
    }

    /// Reads a distribution for `parameter`, checking its bounds as the parameter's values.
    static func parse(_ node: Node, for parameter: Parameter, _ source: Source) throws(YAMLError) -> Distribution {
        guard case .mapping(let map) = node else {
            throw YAMLError("a sampled parameter is a mapping such as {log_uniform: [0.0001, 0.1]}", at: node.mark, in: source)
        }
        var kindKey: Node.Scalar?, body: Node?, log: Bool?
        for entry in map.entries {
            switch entry.key.value {
            case let k where keys.contains(k):
                if kindKey != nil {
                    throw YAMLError("\(parameter.key) has two distributions; give one of \(keys.joined(separator: ", "))",
                                    at: entry.key.mark, in: source)
                }
                kindKey = entry.key
                body = entry.value
            case "log":
                guard case .scalar(let s) = entry.value, let b = s.bool else {
                    throw YAMLError("log must be true or false", at: entry.value.mark, in: source)
                }
                log = b
            default:
                throw YAMLError("unknown key '\(entry.key.value)' in \(parameter.key)'s distribution; it takes one of "
                    + keys.joined(separator: ", ") + " and optionally log" + Suggestion.hint(for: entry.key.value, in: keys + ["log"]),
                    at: entry.key.mark, in: source)
            }
        }
        guard let kindKey, let body else {
            throw YAMLError("\(parameter.key)'s distribution needs one of \(keys.joined(separator: ", "))", at: node.mark, in: source)
        }
        let name = kindKey.value
        guard case .sequence(let list) = body, !list.items.isEmpty else {
            throw YAMLError("\(name) takes a list: " + (name == "choice" ? "[value, value, ...]" : "[low, high]"),
                            at: body.mark, in: source)
        }
        if name == "choice" {
            if log != nil { throw YAMLError("choice has no log scale; drop log", at: node.mark, in: source) }
            var values: [ParameterValue] = []
            for item in list.items {
                let value = try parameter.value(from: item, in: source)
                if values.contains(value) {
                    throw YAMLError("choice lists \(value) twice", at: item.mark, in: source)
                }
                values.append(value)
            }
            return Distribution(kind: .choice(values), mark: node.mark)
        }
        guard list.items.count == 2 else {
            throw YAMLError("\(name) takes two bounds, [low, high]; got \(list.items.count) values", at: body.mark, in: source)
        }
        // The bounds must be values of the parameter (so every draw between them is).
        let bounds = try list.items.map { (item) throws(YAMLError) -> ParameterValue in try parameter.value(from: item, in: source) }
        if name == "int_uniform" {
            guard case .int(let low) = bounds[0], case .int(let high) = bounds[1] else {
                throw YAMLError("int_uniform is for integer parameters; \(parameter.key) is not one (use uniform)",
                                at: kindKey.mark, in: source)
            }
            guard low < high else { throw YAMLError("int_uniform needs low < high, got [\(low), \(high)]", at: body.mark, in: source) }
            if log == true && low < 1 {
                throw YAMLError("int_uniform with log needs low >= 1, got \(low)", at: list.items[0].mark, in: source)
            }
            return Distribution(kind: .intUniform(low: low, high: high, log: log ?? false), mark: node.mark)
        }
        guard case .double(let low) = bounds[0], case .double(let high) = bounds[1] else {
            throw YAMLError("\(name) is for real-valued parameters; \(parameter.key) is not one (use int_uniform or choice)",
                            at: kindKey.mark, in: source)
        }
        guard low < high else { throw YAMLError("\(name) needs low < high, got [\(low), \(high)]", at: body.mark, in: source) }
        let isLog = name == "log_uniform" || log == true
        if name == "log_uniform" && log == false {
            throw YAMLError("log_uniform is on a log scale; drop log: false", at: node.mark, in: source)
        }
        if isLog && low <= 0 {
            throw YAMLError("\(name) on a log scale needs low > 0, got \(low)", at: list.items[0].mark, in: source)
        }
        return Distribution(kind: .uniform(low: low, high: high, log: isLog), mark: node.mark)
    }

    /// The value of draw `u` in [0, 1), as text a parameter reads (rounded as documented).
    /// - Parameter more: the draw's stream, for an integer range wider than a Double's 53
    ///   bits of `u` can spread evenly (it then draws the integer from the stream's 64 bits).
    func text(at u: Double, more: inout SplitMix64) -> String {
        switch kind {
        case .uniform(let low, let high, let logScale):
            let x = logScale ? low * exp(u * log(high / low)) : low + u * (high - low)
            return Distribution.fourDigits(min(max(x, low), high))
        case .intUniform(let low, let high, let logScale):
            if logScale {
                return String(Distribution.clamp(floor(Double(low) * exp(u * log((Double(high) + 1) / Double(low)))), low, high))
            }
            let span = high.subtractingReportingOverflow(low)
            if !span.overflow && span.partialValue < 1 << 53 {
                // As always (the same draws as before): u spread over the points.
                return String(min(max(low + Int(floor(u * Double(span.partialValue + 1))), low), high))
            }
            // Wider: an unbiased integer in [0, high − low] (rejection), then shifted.
            let width = UInt64(bitPattern: Int64(high)) &- UInt64(bitPattern: Int64(low))
            var r = more.next()
            if width != UInt64.max {
                let n = width + 1, limit = UInt64.max - UInt64.max % n
                while r >= limit { r = more.next() }
                r %= n
            }
            return String(Int(bitPattern: UInt(bitPattern: low) &+ UInt(r)))
        case .choice:
            return choiceValue(at: u)!.description
        }
    }

    /// `x` as an Int within [low, high] (a Double at or past Int.max's neighbourhood is high).
    static func clamp(_ x: Double, _ low: Int, _ high: Int) -> Int {
        if !(x < Double(high)) { return high }
        if x <= Double(low) { return low }
        return Int(x)
    }

    /// The drawn value itself for a `choice` (its items are values already).
    func choiceValue(at u: Double) -> ParameterValue? {
        guard case .choice(let values) = kind else { return nil }
        return values[min(Int(floor(u * Double(values.count))), values.count - 1)]
    }

    /// x with 4 significant digits, shortest text.
    static func fourDigits(_ x: Double) -> String {
        guard x != 0 else { return "0.0" }
        let rounded = Double(String(format: "%.3e", x))!
        return rounded.description
    }
}
