import Foundation
import Testing

/// The corpus of broken datasets of the user's own (Tests/Fixtures/broken-data): each folder's
/// spec, run through the binary in a copy of the folder, must print its `expected` line,
/// exit 3 (the data exit code), and write no results.
@Suite(.serialized) struct BrokenDataCorpusTests {
    static let directory = Binary.repo.appendingPathComponent("Tests/Fixtures/broken-data")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }

    @Test func theCorpusHoldsTheIssuesCases() {
        #expect(Self.cases.count >= 25)
    }

    @Test(arguments: cases)
    func eachBrokenDatasetIsOneClearErrorAndNothingWritten(_ name: String) throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent(name)
        try FileManager.default.copyItem(at: Self.directory.appendingPathComponent(name), to: copy)
        let expected = try String(contentsOf: copy.appendingPathComponent("expected"), encoding: .utf8)
            .replacingOccurrences(of: "$DIR", with: copy.resolvingSymlinksInPath().path)
        let r = try Binary.run(["spec.yaml", "--results", dir.appendingPathComponent("results").path, "-q"], in: copy)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr == expected)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results").path))
    }
}
