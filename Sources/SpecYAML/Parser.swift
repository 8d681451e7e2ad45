internal import CLibYAML

/// Parses one YAML document into a `Node` tree through libyaml's event API.
///
/// Handles block and flow style, quoted scalars, comments, anchors and aliases. Rejects a second
/// document, duplicate keys, non-scalar keys, unknown aliases, nesting deeper than `maxDepth`, and
/// alias expansion past `maxNodes` (the "billion laughs" attack). Every error carries a 1-based mark.
public final class Parser {
    /// Deepest nesting of lists and mappings accepted; deeper input is an error, not a crash.
    public static let maxDepth = 64
    /// Most nodes a document may expand to, counting every alias as a copy of what it names.
    public static let maxNodes = 100_000

    private let source: Source
    private let bytes: [UInt8]
    private var parser = yaml_parser_t()

    /// - Parameter source: the text and the name errors should use for it.
    public init(_ source: Source) {
        self.source = source
        self.bytes = Array(source.text.utf8)
        yaml_parser_initialize(&parser)
    }

    deinit { yaml_parser_delete(&parser) }

    /// Parses the whole source.
    /// - Returns: the document's root, or nil for an empty stream (no document, or comments only).
    /// - Throws: `YAMLError` at the position of the first problem.
    public func parse() throws(YAMLError) -> Node? {
        try bytes.withUnsafeBufferPointer { (buffer) throws(YAMLError) -> Node? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            return try parseEvents()
        }
    }

    // MARK: - Events to tree

    private enum Frame {
        case sequence(items: [Node], mark: Mark, anchor: String?, size: Int)
        case mapping(entries: [Node.Mapping.Entry], mark: Mark, anchor: String?, size: Int,
                     pendingKey: Node.Scalar?)
    }

    private func parseEvents() throws(YAMLError) -> Node? {
        var stack: [Frame] = []
        var anchors: [String: (node: Node, size: Int)] = [:]
        var totalNodes = 0
        var root: Node?
        var documents = 0

        /// Adds a finished node (with its expanded size) to the open collection, or makes it the root.
        /// `mark` is where the node appears in the text: for an alias, the alias, not its anchor.
        func attach(_ node: Node, size: Int, at mark: Mark) throws(YAMLError) {
            totalNodes += size
            if totalNodes > Parser.maxNodes {
                throw error("document expands to more than \(Parser.maxNodes) nodes "
                    + "(aliases are copied); simplify the anchors and aliases", at: mark)
            }
            guard let top = stack.popLast() else { root = node; return }
            switch top {
            case .sequence(var items, let mark, let anchor, let s):
                items.append(node)
                stack.append(.sequence(items: items, mark: mark, anchor: anchor, size: s + size))
            case .mapping(var entries, let mark, let anchor, let s, let pending):
                if let key = pending {
                    entries.append(.init(key: key, value: node))
                    stack.append(.mapping(entries: entries, mark: mark, anchor: anchor,
                                          size: s + size, pendingKey: nil))
                } else {
                    guard case .scalar(let key) = node else {
                        throw error("mapping keys must be plain names, not \(node.kindDescription)",
                                    at: node.mark)
                    }
                    if let first = entries.first(where: { $0.key.value == key.value }) {
                        throw error("duplicate key '\(key.value)' (first given at line "
                            + "\(first.key.mark.line)); remove one of them", at: key.mark)
                    }
                    stack.append(.mapping(entries: entries, mark: mark, anchor: anchor,
                                          size: s + size, pendingKey: key))
                }
            }
        }

        func remember(_ anchor: String?, _ node: Node, size: Int) {
            if let anchor { anchors[anchor] = (node, size) }
        }

        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else { throw libyamlError() }
            defer { yaml_event_delete(&event) }
            let mark = Mark(line: Int(event.start_mark.line) + 1,
                            column: Int(event.start_mark.column) + 1)

            switch event.type {
            case YAML_STREAM_END_EVENT:
                return root
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    throw error("a spec holds one YAML document, but a second one starts here; "
                        + "split it into two files", at: mark)
                }
            case YAML_ALIAS_EVENT:
                let name = string(event.data.alias.anchor)!
                guard let target = anchors[name] else {
                    throw error("unknown alias '*\(name)'; define '&\(name)' before using it", at: mark)
                }
                try attach(target.node, size: target.size, at: mark)
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length),
                                   as: UTF8.self)
                let style: Node.Scalar.Style = switch s.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: .literal
                case YAML_FOLDED_SCALAR_STYLE: .folded
                default: .plain
                }
                let scalar = Node.Scalar(value, style: style, tag: string(s.tag), mark: mark)
                try checkTag(scalar.tag, kind: .scalar(scalar), at: mark)
                let node = Node.scalar(scalar)
                remember(string(s.anchor), node, size: 1)
                try attach(node, size: 1, at: mark)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                if stack.count >= Parser.maxDepth {
                    throw error("nesting is deeper than \(Parser.maxDepth) levels", at: mark)
                }
                if event.type == YAML_SEQUENCE_START_EVENT {
                    try checkTag(string(event.data.sequence_start.tag), kind: .sequence, at: mark)
                    stack.append(.sequence(items: [], mark: mark,
                                           anchor: string(event.data.sequence_start.anchor), size: 1))
                } else {
                    try checkTag(string(event.data.mapping_start.tag), kind: .mapping, at: mark)
                    stack.append(.mapping(entries: [], mark: mark,
                                          anchor: string(event.data.mapping_start.anchor), size: 1,
                                          pendingKey: nil))
                }
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let node: Node, anchor: String?, size: Int
                switch stack.removeLast() {
                case .sequence(let items, let m, let a, let s):
                    (node, anchor, size) = (.sequence(.init(items, mark: m)), a, s)
                case .mapping(let entries, let m, let a, let s, _):
                    (node, anchor, size) = (.mapping(.init(entries, mark: m)), a, s)
                }
                // The children were counted as they were attached; count this node once more
                // only through `size`, so subtract them before attaching the whole.
                totalNodes -= size - 1
                remember(anchor, node, size: size)
                try attach(node, size: size, at: node.mark)
            default:
                break
            }
        }
    }

    // MARK: - Tags

    private enum TaggedKind { case scalar(Node.Scalar), sequence, mapping }

    /// YAML's own tags, by their resolved names; a spec uses no others.
    private static let coreTags = ["str", "int", "float", "bool", "null", "seq", "map"]
        .map { "tag:yaml.org,2002:" + $0 }

    /// Accepts no tag, or one of YAML's core tags that agrees with what it tags: `!!int relu`
    /// and `!!seq` on a mapping are errors, not silently ignored; `!foo` is unknown.
    private func checkTag(_ tag: String?, kind: TaggedKind, at mark: Mark) throws(YAMLError) {
        guard let tag, tag != "!" else { return }
        let short = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst(18) : tag
        guard Parser.coreTags.contains(tag) else {
            throw error("unknown tag '\(short)'; a spec uses no tags beyond YAML's own "
                + "(!!str, !!int, !!float, !!bool, !!null); remove it", at: mark)
        }
        let agrees: Bool
        var what: String
        switch kind {
        case .sequence: agrees = short == "!!seq"; what = "a list"
        case .mapping: agrees = short == "!!map"; what = "a mapping"
        case .scalar(let s):
            let plain = Node.Scalar(s.value, mark: s.mark)
            what = "'\(s.shortValue)'"
            switch short {
            case "!!str": agrees = true
            case "!!int": agrees = plain.int != nil || plain.looksLikeInteger
            case "!!float": agrees = plain.double != nil
            case "!!bool": agrees = plain.bool != nil
            case "!!null": agrees = plain.isNull
            default: agrees = false
            }
        }
        if !agrees {
            throw error("the tag \(short) does not fit \(what); remove the tag or fix the value", at: mark)
        }
    }

    // MARK: - Errors

    private func error(_ message: String, at mark: Mark) -> YAMLError {
        YAMLError(message, at: mark, in: source)
    }

    /// Turns libyaml's error state into a `YAMLError` at a 1-based mark.
    private func libyamlError() -> YAMLError {
        var problem = string(parser.problem) ?? "invalid YAML"
        var mark: Mark
        if parser.error == YAML_READER_ERROR {
            // Reader errors (bad encoding, control characters) carry a byte offset, not a mark.
            mark = markOfByte(Int(parser.problem_offset))
            if problem.contains("UTF-8") || problem.contains("utf-8") {
                problem = "the file is not valid UTF-8 (\(problem)); save it as UTF-8 text"
            } else if problem.contains("control characters") {
                problem = "the file contains a control character or binary data; a spec is plain text"
            }
            return YAMLError(problem, at: mark, in: source)
        }
        mark = Mark(line: Int(parser.problem_mark.line) + 1,
                    column: Int(parser.problem_mark.column) + 1)
        let index = Int(parser.problem_mark.index)
        if index < bytes.count, bytes[index] == UInt8(ascii: "\t") {
            return YAMLError("tabs are not allowed in YAML indentation; indent with spaces",
                             at: mark, in: source)
        }
        if let context = string(parser.context) {
            let at = Mark(line: Int(parser.context_mark.line) + 1,
                          column: Int(parser.context_mark.column) + 1)
            // An unclosed flow collection is found where the text stops making sense, often
            // lines later; the bracket that was never closed is the place to point at.
            if context.hasPrefix("while parsing a flow"), problem.hasPrefix("did not find expected") {
                let (kind, close) = context.contains("sequence") ? ("list", "]") : ("mapping", "}")
                return YAMLError("this flow \(kind) is never closed; add a ',' between items and "
                    + "a closing '\(close)'", at: at, in: source)
            }
            if context.hasPrefix("while scanning a quoted scalar") {
                return YAMLError("this quoted string is never closed; add the closing quote",
                                 at: at, in: source)
            }
            problem += " (\(context) started at line \(at.line), column \(at.column))"
        }
        return YAMLError(problem, at: mark, in: source)
    }

    /// The 1-based line and column (in characters) of a byte offset into the source.
    private func markOfByte(_ offset: Int) -> Mark {
        var line = 1, column = 1
        for b in bytes.prefix(min(offset, bytes.count)) {
            if b == UInt8(ascii: "\n") { line += 1; column = 1 }
            else if b & 0xC0 != 0x80 { column += 1 }
        }
        return Mark(line: line, column: column)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
    }

    private func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }
}
