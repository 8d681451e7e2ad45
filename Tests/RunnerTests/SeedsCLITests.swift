import Foundation
import Testing

/// `runner seeds` (issue 25, item 3) on the committed seed study: a line per comparison with
/// the seeds it needs and has, the underpowered ones counted; a large difference needs few.
@Suite struct SeedsCLITests {
    func needed(_ line: Substring) -> Int? {
        guard let range = line.range(of: " needs ") else { return nil }
        return Int(line[range.upperBound...].prefix { $0.isNumber })
    }

    @Test func adviceForTheSeedStudy() throws {
        let small = try Binary.run(["seeds", "results/comparison", "--by", "activation", "--detect", "0.1"])
        #expect(small.status == 0, "\(small.stderr)")
        let lines = small.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines.prefix(2) {
            #expect(line.hasPrefix("activation relu vs sigmoid at dropout="))
            #expect(line.contains("(relu, 5 seeds)") && line.contains("(sigmoid, 5 seeds)") && line.contains("has 5"))
            let n = try #require(needed(line))
            #expect(line.contains(n > 5 ? "underpowered, \(n - 5) more a group" : "enough"))
        }
        let under = lines.prefix(2).filter { $0.contains("underpowered") }.count
        #expect(lines.last! == (under == 0 ? "every comparison has the seeds it needs" : "\(under) of 2 comparisons underpowered"))
        // Ten times the difference: far fewer seeds (power grows with the difference).
        let large = try Binary.run(["seeds", "results/comparison", "--by", "activation", "--detect", "1"])
        let big = large.stdout.split(separator: "\n").prefix(2).compactMap(needed), tight = lines.prefix(2).compactMap(needed)
        #expect(big.count == 2 && zip(big, tight).allSatisfy { $0 < $1 } && big.allSatisfy { $0 <= 5 })
        #expect(large.stdout.hasSuffix("every comparison has the seeds it needs\n"))
        let bad = try Binary.run(["seeds", "results/comparison", "--by", "activation", "--detect", "0"])
        #expect(bad.status != 0 && bad.stderr.contains("--detect must be a number > 0"))
    }
}
