/// A dataset file that is missing or not what it should be. Renders as one line that names
/// the file (and, in a file of the user's, the place: `line:column` of a CSV, the array and
/// byte offset of an NPY), the problem, and what to do: for a shipped dataset, the command
/// that fetches a good copy.
public struct DataError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var problem: String
    /// The command that fetches a verified copy, e.g. `runner data fetch mnist`.
    public var fix: String
    /// What to do instead, for a file runner does not ship (replaces the fetch advice).
    public var advice: String?

    public init(path: String, problem: String, fix: String) {
        self.path = path
        self.problem = problem
        self.fix = fix
    }

    /// A problem in a file of the user's: `advice` says what to do.
    public init(path: String, problem: String, advice: String) {
        self.path = path
        self.problem = problem
        self.fix = ""
        self.advice = advice
    }

    public var description: String {
        "\(path): error: \(problem); " + (advice ?? "run \(fix) to fetch a verified copy")
    }

    /// A value from a data file, as an error shows it: at most 40 characters, control
    /// characters written as escapes (`\n`, `\u{1B}`), so an error stays one line and never
    /// drives a terminal.
    public static func shown(_ text: String) -> String {
        var out = ""
        for (i, c) in text.unicodeScalars.enumerated() {
            if i == 40 { return out + "..." }
            switch c {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || (0x7F...0x9F).contains(c.value) || c.value == 0x2028 || c.value == 0x2029 {
                    out += "\\u{" + String(c.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }
}
