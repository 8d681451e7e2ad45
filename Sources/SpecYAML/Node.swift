/// A YAML node with the position where it starts.
///
/// The tree is what the spec layer reads; libyaml never shows above this module.
public indirect enum Node: Sendable {
    case scalar(Scalar)
    case sequence(Sequence)
    case mapping(Mapping)

    /// Where the node starts (1-based).
    public var mark: Mark {
        switch self {
        case .scalar(let s): s.mark
        case .sequence(let s): s.mark
        case .mapping(let m): m.mark
        }
    }

    /// A short name of the node's kind for error messages: "a string", "a list", "a mapping".
    public var kindDescription: String {
        switch self {
        case .scalar(let s): s.kindDescription
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }

    public var scalar: Scalar? { if case .scalar(let s) = self { s } else { nil } }
    public var sequence: Sequence? { if case .sequence(let s) = self { s } else { nil } }
    public var mapping: Mapping? { if case .mapping(let m) = self { m } else { nil } }
}
