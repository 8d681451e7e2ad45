/// An error at a position in a source, rendered as compilers do:
///
///     experiments/x.yaml:3:10: error: dropout must be in [0, 1), got 1.5
///     dropout: 1.5
///              ^
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public var source: Source
    public var mark: Mark
    public var message: String

    public init(_ message: String, at mark: Mark, in source: Source) {
        self.message = message
        self.mark = mark
        self.source = source
    }

    /// `path:line:column: error: message`, then the source line and a caret under the column.
    public var description: String {
        var out = "\(source.name):\(mark.line):\(mark.column): error: \(message)"
        // Quote the line only when it is printable text: not empty, not binary garbage.
        if let line = source.line(mark.line), !line.isEmpty,
           !line.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0 == "\u{FFFD}" }) {
            // Keep tabs as tabs so the caret lines up under the character in any terminal.
            let prefix = line.unicodeScalars.prefix(max(0, mark.column - 1))
            let pad = String(String.UnicodeScalarView(prefix.map { $0 == "\t" ? "\t" : " " }))
            out += "\n\(line)\n\(pad)^"
        }
        return out
    }
}
