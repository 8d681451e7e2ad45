/// One parameter's value, as read from a spec, in a form that can be compared and hashed.
public enum ParameterValue: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case ints([Int])
    case none

    /// The canonical text: the same value always spells the same way (`0.5`, `512x256`, `all`).
    /// Run ids hash it and run names show it.
    public var description: String {
        switch self {
        case .int(let i): String(i)
        case .double(let d): d.description
        case .string(let s): s
        case .ints(let list): list.isEmpty ? "none" : list.map(String.init).joined(separator: "x")
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
        case .none: "null"
        }
    }
}
