import Foundation
import Testing
import Vocabulary
@testable import Experiments

/// Parameter importance (issue 25, item 4): PED-ANOVA gives Optuna's own figures (its default
/// `get_param_importances`, run on the same trials when Optuna is installed) on every kind of
/// dimension, ranks a parameter that decides the objective first, and does not depend on the
/// trials' order.
@Suite struct PEDANOVATests {
    static let dimensions = TPETests.mixed
    static let spaces = [#"{"kind": "float", "low": -5.0, "high": 10.0, "log": false}"#,
                         #"{"kind": "float", "low": 0.0001, "high": 0.1, "log": true}"#,
                         #"{"kind": "int", "low": 1, "high": 100, "log": true}"#,
                         #"{"kind": "int", "low": 16, "high": 128, "log": false}"#,
                         #"{"kind": "categorical", "choices": ["a", "b", "c"]}"#]

    /// An objective the first and last dimensions decide (the others are noise), rounded so
    /// that some trials tie.
    static func objective(_ p: [Double], _ noise: Double) -> Double {
        ((abs(p[0] - 2) + (p[4] == 1 ? 0 : 3) + noise) * 4).rounded() / 4
    }

    static func trials(_ n: Int, seed: UInt64) -> (points: [[Double]], values: [Double]) {
        let points = TPETests.observations(n, seed: seed)
        var rng = SplitMix64(seed: seed &+ 1000)
        return (points, points.map { objective($0, rng.nextUnitDouble()) })
    }

    @Test func theParameterThatDecidesRanksFirstAndTheFiguresSumToOne() {
        let (points, values) = Self.trials(200, seed: 7)
        let importances = PEDANOVA.importances(dimensions: Self.dimensions, points: points, values: values, minimize: true)
        #expect(abs(importances.reduce(0, +) - 1) < 1e-12)
        let ranked = importances.indices.sorted { importances[$0] > importances[$1] }
        #expect(Set(ranked.prefix(2)) == [0, 4], "\(importances)")
        // Maximising the negated objective is the same question.
        let flipped = PEDANOVA.importances(dimensions: Self.dimensions, points: points, values: values.map { -$0 }, minimize: false)
        #expect(flipped == importances)
        // The order trials are listed in does not matter.
        var rng = SplitMix64(seed: 3)
        var order = Array(points.indices)
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        let shuffled = PEDANOVA.importances(dimensions: Self.dimensions, points: order.map { points[$0] },
                                            values: order.map { values[$0] }, minimize: true)
        for (a, b) in zip(shuffled, importances) { #expect(abs(a - b) < 1e-12) }
    }

    @Test func nothingToTellGivesEqualShares() {
        // One trial, or none with a finite figure: nothing to compare, equal shares (as Optuna).
        let one = PEDANOVA.importances(dimensions: Self.dimensions, points: [[0, 0.01, 5, 20, 1]], values: [1], minimize: true)
        #expect(one == [Double](repeating: 0.2, count: 5))
        let (points, _) = Self.trials(10, seed: 1)
        let nan = PEDANOVA.importances(dimensions: Self.dimensions, points: points, values: points.map { _ in .nan }, minimize: true)
        #expect(nan == [Double](repeating: 0.2, count: 5))
        // Every trial alike: the best are all of them, no divergence anywhere.
        let flat = PEDANOVA.importances(dimensions: Self.dimensions, points: points, values: points.map { _ in 1 }, minimize: true)
        #expect(flat == [Double](repeating: 0.2, count: 5))
        // A choice with one value cannot matter.
        let (more, values) = Self.trials(50, seed: 2)
        let single = PEDANOVA.importances(dimensions: Self.dimensions.dropLast() + [.categorical(count: 1)],
                                          points: more.map { Array($0.dropLast()) + [0] }, values: values, minimize: true)
        #expect(single.last == 0)
    }

    @Test func theGridRoundsAsOptunaDoes() {
        // 50 points over [0, 49]: a value halfway between two goes to the lower one.
        #expect(PEDANOVA.gridCounts(.real(low: 0, high: 49, log: false), [0, 0.5, 0.51, 49]).enumerated().filter { $0.1 > 0 }.map(\.0)
                == [0, 1, 49])
        // Integers keep their own values when there are at most 50 ...
        #expect(PEDANOVA.gridCounts(.integer(low: 16, high: 20, log: false), [16, 20, 20]) == [1, 0, 0, 0, 2])
        // ... and on a log scale about one point per doubling: 1...100 has ⌈log2 100⌉ + 1 = 8.
        #expect(PEDANOVA.gridCounts(.integer(low: 1, high: 100, log: true), [1, 100]).count == 8)
        #expect(PEDANOVA.gridCounts(.categorical(count: 3), [2, 2, 0]) == [1, 0, 2])
    }

    /// The figures are Optuna's: `get_param_importances(study)` (PED-ANOVA, its default) on a
    /// study of the same trials, through scripts/importance-vs-optuna.py --check, for each kind
    /// of dimension alone and all together, few trials and many, ties, either direction.
    @Test(.enabled(if: TPETests.optunaPython != nil, "no Python with optuna (scripts/test.sh sets up .build/pyenv)"))
    func theFiguresAreOptunas() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let names = ["x", "lr", "units", "batch", "kind"]
        var documents: [String] = []
        for (n, minimize) in [(2, true), (3, false), (9, true), (30, true), (31, false), (120, true)] {
            for dims in [[0, 1], [2, 3], [4, 0], Array(0..<5)] {
                let (points, values) = Self.trials(n, seed: UInt64(n) * 31 + UInt64(dims.count))
                let importances = PEDANOVA.importances(dimensions: dims.map { Self.dimensions[$0] }, points: points.map { p in dims.map { p[$0] } },
                                                       values: values, minimize: minimize)
                func value(_ d: Int, _ x: Double) -> String {
                    switch Self.dimensions[d] {
                    case .categorical: "\"\(["a", "b", "c"][Int(x)])\""
                    case .integer: "\(Int(x))"
                    case .real: "\(x)"
                    }
                }
                let trials = zip(points, values).map { p, v in
                    "{\"value\": \(v), \"params\": {" + dims.map { "\"\(names[$0])\": \(value($0, p[$0]))" }.joined(separator: ", ") + "}}"
                }
                documents.append("""
                    {"experiment": "n=\(n) dims=\(dims)", "metric": "f", "direction": "\(minimize ? "minimize" : "maximize")",
                     "parameters": [\(dims.map { "{\"name\": \"\(names[$0])\", \"distribution\": \(Self.spaces[$0])}" }.joined(separator: ", "))],
                     "trials": [\(trials.joined(separator: ", "))],
                     "importances": {\(zip(dims, importances).map { "\"\(names[$0])\": \($1)" }.joined(separator: ", "))}}
                    """)
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pedanova-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for (i, doc) in documents.enumerated() {
            let path = dir.appendingPathComponent("\(i).json").path
            try doc.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TPETests.optunaPython!)
        process.arguments = [repo.appendingPathComponent("scripts/importance-vs-optuna.py").path, "--check"] + files
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stderr)\n\(text)")
        #expect(text.components(separatedBy: "largest difference from Optuna's").count == documents.count + 1, "\(text)")
    }
}
