import Foundation
import Testing

/// What a user sees once runs of several invocations share a folder: every run's parameters
/// read through its record, so a parameter a record leaves out reads as its value then.
@Suite(.serialized) struct RecordsCommandTests {
    static let dataDir = TrainCommandTests.dataDir

    /// A tiny spec of two seeds, in a fresh folder.
    func mix() throws -> URL {
        let dir = try Binary.temporaryDirectory()
        try "name: mix\nepochs: 1\ntrain_subset: 300\ntest_subset: 100\nhidden: [16]\nrepeats: 2\n"
            .write(to: dir.appendingPathComponent("mix.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    func runner(_ args: [String], in dir: URL) throws -> Binary.Result {
        try Binary.run(args + (["summarize", "compare"].contains(args[0]) ? [] : ["--data-dir", Self.dataDir]), in: dir)
    }

    /// The repro: a rerun with `--set epochs=2` beside the first run's results. The
    /// groups differ in epochs alone, labelled so; compare finds the pair.
    @Test func aSetRerunsGroupsDifferOnlyInWhatWasSet() throws {
        let dir = try mix()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try runner(["mix.yaml", "-q"], in: dir).status == 0)
        #expect(try runner(["mix.yaml", "-q", "--set", "epochs=2"], in: dir).status == 0)
        let summary = try runner(["summarize", "results/mix", "--format", "csv"], in: dir)
        #expect(summary.status == 0, "\(summary.stderr)")
        let groups = summary.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }
        #expect(groups == ["epochs=2", "epochs=1"], "\(summary.stdout)")
        let compare = try runner(["compare", "results/mix", "--by", "epochs"], in: dir)
        #expect(compare.status == 0, "\(compare.stderr)")
        #expect(compare.stdout.hasPrefix("epochs 1 − 2: "), "\(compare.stdout)")
    }

    /// A parameter that varies only together with another: nothing to compare, said so, exit 6.
    @Test func aCompareWithNoPairSaysWhyAndExits6() throws {
        let dir = try mix()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try runner(["mix.yaml", "-q"], in: dir).status == 0)
        #expect(try runner(["mix.yaml", "-q", "--set", "epochs=2", "--set", "lr=0.1"], in: dir).status == 0)
        let compare = try runner(["compare", "results/mix", "--by", "lr"], in: dir)
        #expect(compare.status == 6)
        #expect(compare.stdout == "")
        #expect(compare.stderr == "runner compare: error: no two groups of mix differ in lr alone: every pair with "
            + "different lr also differs in epochs; compare holds every other parameter equal, so train the missing "
            + "combinations (a sweep over lr and epochs) or compare by another parameter\n")
    }
}
