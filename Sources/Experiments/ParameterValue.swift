/// One parameter's value, as read from a spec, in a form that can be compared and hashed.
public enum ParameterValue: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case ints([Int])
    case none
    /// A structured value (a schedule, a normalisation, Adam's betas, an early-stopping rule)
    /// kept as its type, with its canonical text.
    case typed(TypedValue)

    /// The canonical text: the same value always spells the same way (`0.5`, `512x256`, `all`).
    /// Run ids hash it and run names show it.
    public var description: String {
        switch self {
        case .int(let i): String(i)
        case .double(let d): d.description
        case .string(let s): s
        case .ints(let list): list.isEmpty ? "none" : list.map(String.init).joined(separator: "x")
        case .typed(let t): t.description
        case .none: "all"
        }
    }

    /// The value as JSON text.
    public var json: String {
        switch self {
        case .int(let i): String(i)
        case .double(let d): d.description
        case .string(let s): JSON.quote(s)
        case .ints(let list): "[" + list.map(String.init).joined(separator: ", ") + "]"
        case .typed(let t): JSON.quote(t.description)
        case .none: "null"
        }
    }
}

extension ParameterValue {
    /// The value as the engine trains with it: a number narrowed to a 32-bit float (0.1 and
    /// 0.1000000001 train alike), anything else as it is. Duplicates are found by this.
    public var asTrained: ParameterValue {
        if case .double(let d) = self { return .double(Double(Float(d))) }
        return self
    }

    /// The value `earlier` in `values` that trains as this one does, if any.
    public func trainsLike(_ values: [ParameterValue]) -> ParameterValue? {
        values.first { $0.asTrained == asTrained }
    }

    /// Why two values of one list are one value to the engine: "lists 0.5 twice", or "lists
    /// 0.1000000001, which trains as 0.1 as a 32-bit float, the same as 0.1".
    public func duplicateMessage(of earlier: ParameterValue) -> String {
        earlier == self ? "lists \(self) twice"
            : "lists \(self), which trains as \(Float(asTrained.doubleValue ?? 0)) as a 32-bit float, the same as \(earlier)"
    }

    var doubleValue: Double? { if case .double(let d) = self { d } else { nil } }
}

/// A parameter's structured value as its own type (`LRSchedule`, `InputNormalization?`,
/// `AdamBetas`, `EarlyStopping?`), so a config takes it as it is rather than re-reading its text.
/// Two values are the same when their canonical texts are: the text is what run ids hash.
public struct TypedValue: Hashable, Sendable, CustomStringConvertible {
    /// The canonical text (`cosine(eta_min=0.0)`, `0.1307/0.3081`, `none`).
    public let description: String
    /// The value itself.
    public let value: any Sendable

    public init<T: Sendable>(_ value: T, text: String) {
        self.value = value
        description = text
    }

    public static func == (a: TypedValue, b: TypedValue) -> Bool { a.description == b.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }
}
