extension Node {
    /// A scalar: its text exactly as written (quotes removed) and how it was written.
    public struct Scalar: Sendable {
        /// How a scalar was written; only plain scalars are numbers, booleans or null.
        public enum Style: Sendable { case plain, singleQuoted, doubleQuoted, literal, folded }

        public var value: String
        public var style: Style
        /// An explicit tag such as `!!str`, if one was given.
        public var tag: String?
        public var mark: Mark

        public init(_ value: String, style: Style = .plain, tag: String? = nil, mark: Mark) {
            self.value = value
            self.style = style
            self.tag = tag
            self.mark = mark
        }

        /// Longest value quoted whole in an error message.
        public static let messageLength = 40

        /// The value for an error message, cut to `messageLength` characters with `...`.
        public var shortValue: String {
            value.count > Scalar.messageLength ? value.prefix(Scalar.messageLength) + "..." : value
        }

        /// True for a plain scalar that YAML reads as null: empty, `~` or `null`.
        public var isNull: Bool {
            style == .plain && tag == nil && ["", "~", "null", "Null", "NULL"].contains(value)
        }

        /// The integer a plain scalar spells (decimal, `0x` hex, `0o` octal, optional sign, `_`
        /// separators not allowed); nil otherwise, or when it overflows `Int`.
        public var int: Int? {
            guard style == .plain, tag == nil || tag == "tag:yaml.org,2002:int" else { return nil }
            var text = Substring(value)
            var negative = false
            if let first = text.first, first == "-" || first == "+" {
                negative = first == "-"
                text = text.dropFirst()
            }
            var radix = 10
            if text.hasPrefix("0x") { radix = 16; text = text.dropFirst(2) }
            else if text.hasPrefix("0o") { radix = 8; text = text.dropFirst(2) }
            guard !text.isEmpty, text.allSatisfy({ $0.isHexDigit }) else { return nil }
            guard let magnitude = Int(text, radix: radix) else { return nil }
            return negative ? -magnitude : magnitude
        }

        /// True for a plain scalar that is written like an integer, whether or not it fits.
        public var looksLikeInteger: Bool {
            guard style == .plain else { return false }
            var text = Substring(value)
            if let first = text.first, first == "-" || first == "+" { text = text.dropFirst() }
            return !text.isEmpty && text.allSatisfy(\.isNumber) && text.allSatisfy(\.isASCII)
        }

        /// The number a plain scalar spells (integer or float, including `.inf` and `.nan`);
        /// nil otherwise.
        public var double: Double? {
            guard style == .plain, tag == nil || tag == "tag:yaml.org,2002:float"
                || tag == "tag:yaml.org,2002:int" else { return nil }
            if let i = int { return Double(i) }
            switch value {
            case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
            case "-.inf", "-.Inf", "-.INF": return -.infinity
            case ".nan", ".NaN", ".NAN": return .nan
            default: break
            }
            // YAML floats: [-+]? digits [. digits] [e[-+]digits]; reject Swift-only spellings.
            let allowed = Set("0123456789+-.eE")
            guard !value.isEmpty, value.allSatisfy({ allowed.contains($0) }),
                value.contains(where: \.isNumber) else { return nil }
            return Double(value)
        }

        /// The boolean a plain scalar spells (`true`/`false` in any common case); nil otherwise.
        public var bool: Bool? {
            guard style == .plain else { return nil }
            switch value {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: return nil
            }
        }

        /// "a number", "a string", ... for error messages.
        public var kindDescription: String {
            if isNull { return "null" }
            if bool != nil { return "a boolean" }
            if int != nil || looksLikeInteger { return "an integer" }
            if double != nil { return "a number" }
            return "a string"
        }
    }
}
