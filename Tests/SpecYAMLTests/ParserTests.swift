import Testing
@testable import SpecYAML

/// Parses `text` and returns the root, failing the test on error.
private func parse(_ text: String) throws -> Node {
    try #require(try Parser(Source(name: "t.yaml", text: text)).parse())
}

/// The rendered error for `text`, or nil when it parses.
private func error(_ text: String) -> String? {
    do {
        _ = try Parser(Source(name: "t.yaml", text: text)).parse()
        return nil
    } catch {
        return error.description
    }
}

@Suite struct ParserTree {
    @Test func blockMappingKeepsOneBasedMarks() throws {
        let root = try parse("# comment\nactivation: relu\nhidden:\n  - 512\n  - 256\n")
        let map = try #require(root.mapping)
        #expect(map.mark == Mark(line: 2, column: 1))
        #expect(map.entries.map(\.key.value) == ["activation", "hidden"])
        #expect(map.entries[0].key.mark == Mark(line: 2, column: 1))
        #expect(map["activation"]?.scalar?.value == "relu")
        #expect(map["activation"]?.mark == Mark(line: 2, column: 13))
        let hidden = try #require(map["hidden"]?.sequence)
        #expect(hidden.items.map { $0.scalar?.int } == [512, 256])
        #expect(hidden.items[1].mark == Mark(line: 5, column: 5))
    }

    @Test func flowStyleAndQuotedScalars() throws {
        let root = try parse("a: [1, 'two', \"th\\u00e9ree\"]\nb: {x: 1.5, y: ~}\n")
        let map = try #require(root.mapping)
        let a = try #require(map["a"]?.sequence)
        #expect(a.items[0].scalar?.int == 1)
        #expect(a.items[1].scalar?.style == .singleQuoted)
        #expect(a.items[1].scalar?.value == "two")
        #expect(a.items[2].scalar?.value == "théree")
        #expect(a.items[2].mark == Mark(line: 1, column: 15))
        let b = try #require(map["b"]?.mapping)
        #expect(b["x"]?.scalar?.double == 1.5)
        #expect(b["y"]?.scalar?.isNull == true)
        #expect(b["y"]?.mark == Mark(line: 2, column: 16))
    }

    @Test func quotedNumbersStayStrings() throws {
        let map = try #require(try parse("a: '5'\nb: 5\nc: !!str 5\n").mapping)
        #expect(map["a"]?.scalar?.int == nil)
        #expect(map["b"]?.scalar?.int == 5)
        #expect(map["c"]?.scalar?.int == nil)
    }

    @Test func anchorsAndAliasesCopyTheNode() throws {
        let map = try #require(try parse("base: &h [512, 256]\nother: *h\n").mapping)
        #expect(map["other"]?.sequence?.items.compactMap { $0.scalar?.int } == [512, 256])
    }

    @Test func scalarNumberForms() throws {
        let s = { (t: String) in Node.Scalar(t, mark: Mark(line: 1, column: 1)) }
        #expect(s("0x1F").int == 31)
        #expect(s("-12").int == -12)
        #expect(s("1e-3").double == 0.001)
        #expect(s(".inf").double == .infinity)
        #expect(s("12abc").double == nil)
        #expect(s("99999999999999999999999").int == nil)
        #expect(s("99999999999999999999999").looksLikeInteger)
        #expect(s("nan").double == nil)
        #expect(s("true").bool == true)
    }

    @Test func emptyStreamHasNoRoot() throws {
        #expect(try Parser(Source(name: "t", text: "# only a comment\n")).parse() == nil)
    }
}

@Suite struct ParserErrors {
    @Test func secondDocument() {
        #expect(error("a: 1\n---\nb: 2\n") == """
            t.yaml:2:1: error: a spec holds one YAML document, but a second one starts here; split it into two files
            ---
            ^
            """)
    }

    @Test func duplicateKey() {
        #expect(error("lr: 0.1\nepochs: 2\nlr: 0.2\n") == """
            t.yaml:3:1: error: duplicate key 'lr' (first given at line 1); remove one of them
            lr: 0.2
            ^
            """)
    }

    @Test func tabIndentation() {
        #expect(error("sweep:\n\tlr: [0.1]\n") == """
            t.yaml:2:1: error: tabs are not allowed in YAML indentation; indent with spaces
            \tlr: [0.1]
            ^
            """)
    }

    @Test func unterminatedFlowList() {
        #expect(error("sweep:\n  lr: [0.1, 0.2\nepochs: 3\n") == """
            t.yaml:2:7: error: this flow list is never closed; add a ',' between items and a closing ']'
              lr: [0.1, 0.2
                  ^
            """)
    }

    @Test func unterminatedFlowMapping() {
        #expect(error("a: {b: 1\n") == """
            t.yaml:1:4: error: this flow mapping is never closed; add a ',' between items and a closing '}'
            a: {b: 1
               ^
            """)
    }

    @Test func unterminatedQuote() {
        #expect(error("a: 1\nb: \"abc\n") == """
            t.yaml:2:4: error: this quoted string is never closed; add the closing quote
            b: "abc
               ^
            """)
    }

    @Test func badIndentation() {
        #expect(error("a:\n  b: 1\n c: 2\n") == """
            t.yaml:3:2: error: did not find expected key (while parsing a block mapping started at line 1, column 1)
             c: 2
             ^
            """)
    }

    @Test func unknownAlias() {
        #expect(error("a: *nope\n") == """
            t.yaml:1:4: error: unknown alias '*nope'; define '&nope' before using it
            a: *nope
               ^
            """)
    }

    @Test func nonScalarKey() {
        #expect(error("? [a, b]\n: 1\n") == """
            t.yaml:1:3: error: mapping keys must be plain names, not a list
            ? [a, b]
              ^
            """)
    }

    @Test func billionLaughsIsBounded() throws {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for (name, prev) in zip("bcdefghi", "abcdefgh") {
            text += "\(name): &\(name) [" + Array(repeating: "*\(prev)", count: 10).joined(separator: ", ") + "]\n"
        }
        // Level e holds ten copies of d (11,111 nodes each): the 8th pushes past the bound.
        #expect(error(text) == """
            t.yaml:5:36: error: document expands to more than 100000 nodes (aliases are copied); simplify the anchors and aliases
            e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
                                               ^
            """)
    }

    @Test func deepNestingIsBoundedWithoutStackOverflow() {
        let text = "a: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(error(text)?.hasPrefix("t.yaml:1:67: error: nesting is deeper than 64 levels") == true)
    }

    @Test func controlCharacter() {
        #expect(error("a: 1\nb: \u{7}\n") == """
            t.yaml:2:4: error: the file contains a control character or binary data; a spec is plain text
            """)
    }
}

@Suite struct LongLines {
    @Test func aLongLineIsQuotedAsAWindowAroundTheColumn() {
        let line = String(repeating: "a", count: 500) + "XYZ" + String(repeating: "b", count: 500)
        let e = YAMLError("bad", at: Mark(line: 1, column: 502), in: Source(name: "f", text: line))
        let lines = e.description.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 3)
        #expect(lines[1] == "..." + String(repeating: "a", count: 59) + "XYZ" + String(repeating: "b", count: 59) + "...")
        let caret = lines[2].count - 1
        #expect(Array(lines[1])[caret] == "Y")
        // Short lines are quoted whole.
        let short = YAMLError("bad", at: Mark(line: 1, column: 3), in: Source(name: "f", text: "abcdef"))
        #expect(short.description == "f:1:3: error: bad\nabcdef\n  ^")
    }
}
