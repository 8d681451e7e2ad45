import Foundation
import Testing

/// The corpus of broken specs in Tests/Fixtures/broken-specs: each NAME.yaml (with optional
/// NAME.args, one command-line argument a line) must make `runner` print exactly
/// NAME.expected on stderr, exit 2, print nothing on stdout, and write nothing.
@Suite struct BrokenSpecCorpus {
    static let directory = Binary.repo.appendingPathComponent("Tests/Fixtures/broken-specs")

    static let cases: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }()

    @Test func corpusIsLargeAndComplete() throws {
        #expect(Self.cases.count >= 40)
        for name in Self.cases {
            #expect(FileManager.default.fileExists(atPath: Self.directory.appendingPathComponent("\(name).expected").path),
                    "\(name) has no .expected")
        }
    }

    @Test(arguments: cases)
    func brokenSpecFailsExactly(_ name: String) throws {
        let expected = try String(contentsOf: Self.directory.appendingPathComponent("\(name).expected"), encoding: .utf8)
        let argsFile = Self.directory.appendingPathComponent("\(name).args")
        let extra = (try? String(contentsOf: argsFile, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        let results = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: results) }
        let before = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).sorted()
        for command in [["plan", "\(name).yaml"], ["\(name).yaml", "--results", results.path]] {
            let r = try Binary.run(command + extra, in: Self.directory)
            #expect(r.status == 2, "\(name): exit \(r.status)")
            #expect(r.stderr == expected, "\(name)")
            #expect(r.stdout == "")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: results.path) == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).sorted() == before)
    }
}
