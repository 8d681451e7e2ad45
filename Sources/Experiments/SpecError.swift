import SpecYAML

/// Why a spec could not be turned into a plan. Every case renders as one `path: error:` line
/// (plus the quoted source line and caret when a position is known).
public enum SpecError: Error, Sendable, CustomStringConvertible {
    /// A problem at a position in the spec or in a `--set` override.
    case yaml(YAMLError)
    /// The spec file itself could not be read (missing, a directory, unreadable).
    case file(path: String, message: String)

    public var description: String {
        switch self {
        case .yaml(let e): e.description
        case .file(let path, let message): "\(Terminal.safe(path)): error: \(Terminal.safe(message))"
        }
    }
}
