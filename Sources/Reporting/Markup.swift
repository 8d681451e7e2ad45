/// Text for HTML and SVG, the one way every writer here puts a value from outside (a spec, a
/// results file, a reference CSV, a folder's name) into markup: `&`, `<`, `>`, `"` and `'`
/// become entities, so a value is text in an element and in any quoted attribute, never
/// markup or script.
public enum Markup {
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
