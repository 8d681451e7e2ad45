/// An error at a position in a source, rendered as compilers do:
///
///     experiments/x.yaml:3:10: error: dropout must be in [0, 1), got 1.5
///     dropout: 1.5
///              ^
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public var source: Source
    public var mark: Mark
    public var message: String
    /// Further mistakes found in the same pass (a spec's other keys), rendered after this one.
    public var others: [YAMLError] = []
    /// Mistakes found beyond those reported.
    public var unreported = 0

    public init(_ message: String, at mark: Mark, in source: Source) {
        self.message = message
        self.mark = mark
        self.source = source
    }

    /// Characters of the source line quoted on each side of the column; longer lines are cut
    /// to this window, with `...` where text was left out.
    public static let quoteWindow = 60

    /// `path:line:column: error: message`, then the source line (or a window of it around the
    /// column) and a caret under the column.
    public var description: String {
        var out = "\(Terminal.safe(source.name)):\(mark.line):\(mark.column): error: \(Terminal.safe(message))"
        // Quote the line only when it is printable text: not empty, not binary garbage.
        if var line = source.line(mark.line).map({ Array($0.unicodeScalars) }), !line.isEmpty,
           !line.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0 == "\u{FFFD}" }) {
            var column = mark.column
            let w = YAMLError.quoteWindow
            if line.count > 2 * w + 1 {
                let start = max(0, min(column - 1 - w, line.count - 2 * w - 1)), end = min(line.count, start + 2 * w + 1)
                let head: [Unicode.Scalar] = start > 0 ? [".", ".", "."] : []
                let tail: [Unicode.Scalar] = end < line.count ? [".", ".", "."] : []
                column = column - start + head.count
                line = head + line[start..<end] + tail
            }
            // Keep tabs as tabs so the caret lines up under the character in any terminal.
            let prefix = line.prefix(max(0, column - 1))
            let pad = String(String.UnicodeScalarView(prefix.map { $0 == "\t" ? "\t" : " " }))
            out += "\n\(String(String.UnicodeScalarView(line)))\n\(pad)^"
        }
        for other in others { out += "\n" + other.description }
        if unreported > 0 { out += "\n\(source.name): error: and \(unreported) more mistake(s) not shown; fix these first" }
        return out
    }
}
