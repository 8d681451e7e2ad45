/// A named source text: a spec file, or a `--set` override given on the command line.
///
/// Errors render against it, so they can quote the offending line.
public struct Source: Sendable {
    /// What errors call the text: a path, or a label such as `--set`.
    public var name: String
    /// The full text.
    public var text: String

    public init(name: String, text: String) {
        self.name = name
        self.text = text
    }

    /// The text of a 1-based line, without its line break; nil past the end.
    public func line(_ number: Int) -> String? {
        guard number >= 1 else { return nil }
        var current = 1
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == number {
                var s = String(line)
                if s.hasSuffix("\r") { s.removeLast() }
                return s
            }
            current += 1
        }
        return nil
    }
}
