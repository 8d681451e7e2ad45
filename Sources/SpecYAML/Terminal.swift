/// Text from outside (a spec, a file name, a results file) made safe to print: every control
/// character written as an escape (`\n`, `\t`, `\u{1B}`), so nothing printed can move the
/// cursor, retitle a terminal or start a line of its own in a script's comment. The one
/// function for terminals and comment lines; HTML and SVG have theirs (Reporting's `Markup.escape`).
public enum Terminal {
    /// A control character: C0, DEL, C1, and the line and paragraph separators.
    public static func isControl(_ u: Unicode.Scalar) -> Bool {
        u.value < 0x20 || (0x7F...0x9F).contains(u.value) || u.value == 0x2028 || u.value == 0x2029
    }

    /// `text` with each control character escaped.
    public static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for u in text.unicodeScalars {
            switch u {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where isControl(u): out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
