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
