import Foundation
import Testing

/// `--threads N` through the binary: the same metrics, bit for bit, for N = 1, 2 and 3.
@Suite(.serialized) struct ThreadsCLITests {
    @Test func theNumbersDoNotDependOnTheThreads() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ("name: threads\nhidden: [384, 256]\nactivation: relu\ninput_dropout: 0.2\nmax_norm: 3\nbatch_size: 100\n"
            + "epochs: 2\ntrain_subset: 3000\ntest_subset: 1000\nlr: 0.05\n")
            .write(to: dir.appendingPathComponent("t.yaml"), atomically: true, encoding: .utf8)
        // The spec's threads: too (not part of the run's id: the same folder name).
        try ("threads: 3\n" + String(contentsOf: dir.appendingPathComponent("t.yaml"), encoding: .utf8))
            .write(to: dir.appendingPathComponent("t3.yaml"), atomically: true, encoding: .utf8)
        var figures: [String] = []
        for threads in [1, 2, 3] {
            let results = dir.appendingPathComponent("r\(threads)").path
            let r = try Binary.run(threads == 3 ? ["t3.yaml", "-q", "-j", "1", "--results", results, "--data-dir", TrainCommandTests.dataDir]
                                                : ["t.yaml", "-q", "-j", "1", "--threads", "\(threads)", "--results", results,
                                                   "--data-dir", TrainCommandTests.dataDir], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            let exp = results + "/threads"
            let id = try #require(try FileManager.default.contentsOfDirectory(atPath: exp).first { $0.count == 12 && !$0.contains(".") })
            let text = try String(contentsOfFile: exp + "/\(id)/metrics.csv", encoding: .utf8)
            // Every figure but the seconds.
            figures.append(text.split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") }.joined(separator: "\n"))
        }
        #expect(figures[0].split(separator: "\n").count == 3)
        #expect(figures[1] == figures[0] && figures[2] == figures[0])
        #expect(try Binary.run(["t.yaml", "--threads", "0"], in: dir).stderr.contains("--threads must be in 1...256"))
        try "threads: 0\n".write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        #expect(try Binary.run(["bad.yaml"], in: dir).stderr.contains("bad.yaml:1:10: error: threads must be an integer in 1...256"))
    }
}
