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

/// Every saved fuzzer input, the shipped specs and the broken-spec corpus go through the
/// fuzz target's function (built as a replayer) without a crash.
@Suite struct FuzzRegressions {
    @Test func savedInputsReplayWithoutACrash() throws {
        let replayer = Binary.url.deletingLastPathComponent().appendingPathComponent("spec-fuzz")
        let process = Process()
        process.executableURL = replayer
        process.arguments = ["experiments", "Tests/Fixtures/broken-specs", "Tests/Fixtures/fuzz-regressions"]
        process.currentDirectoryURL = Binary.repo
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.hasPrefix("spec-fuzz: replayed ") && text.hasSuffix(" input(s) without a crash\n"))
    }
}
