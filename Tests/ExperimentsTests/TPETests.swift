import Foundation
import Testing
import Vocabulary
@testable import Experiments

/// TPE (issue 25): the Parzen estimators are Optuna's (checked against Optuna's own code when
/// it is installed), the split and weights are its defaults, proposals are a pure function of
/// the trials and the stream, and the search finds better values than uniform draws.
@Suite struct TPETests {
    static let mixed: [TPE.Dimension] = [.real(low: -5, high: 10, log: false), .real(low: 1e-4, high: 1e-1, log: true),
                                         .integer(low: 1, high: 100, log: true), .integer(low: 16, high: 128, log: false),
                                         .categorical(count: 3)]

    /// Trials with values from a fixed stream (not a search: inputs for the estimator checks).
    static func observations(_ n: Int, seed: UInt64) -> [[Double]] {
        let tpe = TPE(dimensions: mixed, minimize: true)
        var rng = SplitMix64(seed: seed)
        return (0..<n).map { _ in tpe.uniformPoint(rng: &rng) }
    }

    /// Optuna's bandwidth rule on a hand-made case: the larger gap to a neighbour (range ends
    /// included), the outer points by their inner gap.
    @Test func bandwidthsAreTheLargerGapToANeighbour() {
        // Sorted: 0 | 1, 2, 4, 8 | 10: gaps 1 1 2 4 2; the outer points take their inner gap
        // (1 → 1, 8 → 4), the inner ones the larger of theirs (2 → 2, 4 → 4).
        #expect(ParzenEstimator.bandwidths([4, 1, 8, 2], low: 0, high: 10) == [4, 1, 4, 2])
        // One point: both neighbours are the range's ends.
        #expect(ParzenEstimator.bandwidths([3], low: 0, high: 10) == [7])
        #expect(ParzenEstimator.bandwidths([], low: 0, high: 1) == [])
    }

    @Test func optunasDefaultSplitAndWeights() {
        #expect([1, 9, 10, 11, 100, 250, 251, 1000].map(TPE.goodCount) == [1, 1, 1, 2, 10, 25, 25, 25])
        #expect(TPE.weights(3) == [1, 1, 1])
        let w = TPE.weights(30)
        #expect(w.count == 30 && w.suffix(25).allSatisfy { $0 == 1 })
        // numpy.linspace(1/30, 1, 5)
        for (a, b) in zip(w.prefix(5), [1 / 30.0, 0.275, 0.5166666666666667, 0.7583333333333333, 1.0]) { #expect(abs(a - b) < 1e-12) }
        #expect(TPE.weights(26) == [1 / 26.0] + [Double](repeating: 1, count: 25))
        // The good group: the best complete trials (here minimising), then pruned ones by the
        // epoch they reached, then their value; pending and the rest go to the bad group.
        let trials: [TPE.Trial] = [
            .init(point: [0], outcome: .complete(3)), .init(point: [1], outcome: .pruned(epoch: 2, value: 0.5)),
            .init(point: [2], outcome: .complete(1)), .init(point: [3], outcome: .pending),
            .init(point: [4], outcome: .pruned(epoch: 4, value: 0.9)), .init(point: [5], outcome: .failed),
            .init(point: [6], outcome: .complete(2)),
        ]
        let tpe = TPE(dimensions: [.real(low: 0, high: 10, log: false)], minimize: true)
        let (good, bad) = tpe.split(trials, good: 4)
        #expect(good.map { $0.point[0] } == [0, 2, 4, 6])
        #expect(bad.map { $0.point[0] } == [1, 3])
        var maximize = tpe
        maximize.minimize = false
        #expect(maximize.split(trials, good: 1).good.map { $0.point[0] } == [0])
    }

    /// The estimator's density is a density: a real dimension's integrates to 1 (trapezoids on
    /// a fine grid), an integer's and a category's probabilities sum to 1, and a product over
    /// an integer and a category sums to 1 too.
    @Test func densitiesNormalise() {
        let points = Self.observations(12, seed: 5)
        // One real dimension alone: its density integrates to 1.
        let oneD = ParzenEstimator(points: points.map { [$0[0]] }, weights: TPE.weights(12), dimensions: [Self.mixed[0]])
        let steps = 200_000, h = 15.0 / Double(steps)
        var integral = 0.0
        for i in 0...steps {
            let x = -5 + Double(i) * h
            integral += exp(oneD.logDensity([x])) * (i == 0 || i == steps ? h / 2 : h)
        }
        #expect(abs(integral - 1) < 1e-6, "\(integral)")
        // One integer dimension alone: its probabilities sum to 1.
        let ints = ParzenEstimator(points: points.map { [$0[2]] }, weights: TPE.weights(12), dimensions: [Self.mixed[2]])
        let sum = (1...100).reduce(0.0) { $0 + exp(ints.logDensity([Double($1)])) }
        #expect(abs(sum - 1) < 1e-9, "\(sum)")
        let both = ParzenEstimator(points: points.map { [$0[3], $0[4]] }, weights: TPE.weights(12), dimensions: [Self.mixed[3], Self.mixed[4]])
        var pairs = 0.0
        for n in 16...128 { for c in 0..<3 { pairs += exp(both.logDensity([Double(n), Double(c)])) } }
        #expect(abs(pairs - 1) < 1e-9, "\(pairs)")
    }

    /// The same trials and stream give the same proposal; pending trials (the constant liar)
    /// move it; draws stay inside their ranges and on their grids.
    @Test func proposalsArePureAndSpreadOverABatch() {
        let tpe = TPE(dimensions: Self.mixed, minimize: true)
        let finished = Self.observations(20, seed: 9).enumerated().map { i, p in
            TPE.Trial(point: p, outcome: .complete(Double((i * 7) % 20)))
        }
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        let first = tpe.propose(after: finished, rng: &a)
        #expect(first == tpe.propose(after: finished, rng: &b))
        var c = SplitMix64(seed: 42)
        let withPending = tpe.propose(after: finished + [TPE.Trial(point: first, outcome: .pending)], rng: &c)
        #expect(withPending != first)
        for seed in 0..<200 as Range<UInt64> {
            var rng = SplitMix64(seed: seed)
            let p = tpe.propose(after: finished, rng: &rng)
            #expect(p[0] >= -5 && p[0] <= 10 && p[1] >= 1e-4 && p[1] <= 1e-1)
            #expect(p[2] == p[2].rounded() && (1...100).contains(Int(p[2])) && (16...128).contains(Int(p[3])))
            #expect([0, 1, 2].contains(p[4]))
        }
    }

    /// On a quadratic bowl in 3 dimensions, 40 trials of TPE get closer to the minimum than 40
    /// uniform draws in most of 20 seeded searches (deterministic: the same searches every run).
    @Test func tpeBeatsUniformDraws() {
        let dimensions = [TPE.Dimension](repeating: .real(low: -1, high: 1, log: false), count: 3)
        func f(_ x: [Double]) -> Double { zip(x, [0.3, -0.5, 0.1]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
        func search(_ tpe: TPE, seed: UInt64) -> Double {
            var trials: [TPE.Trial] = []
            for t in 0..<40 {
                var rng = SplitMix64(seed: seed &* 1000 &+ UInt64(t))
                let p = tpe.propose(after: trials, rng: &rng)
                trials.append(.init(point: p, outcome: .complete(f(p))))
            }
            return trials.compactMap { if case .complete(let v) = $0.outcome { v } else { nil } }.min()!
        }
        let tpe = TPE(dimensions: dimensions, minimize: true)
        let uniform = TPE(dimensions: dimensions, minimize: true, startup: .max)
        let wins = (0..<20 as Range<UInt64>).filter { search(tpe, seed: $0) < search(uniform, seed: $0) }.count
        #expect(wins >= 15, "TPE better in \(wins) of 20")
    }

    /// A Python with Optuna: $RUNNER_OPTUNA_PYTHON, else .build/pyenv's (scripts/test.sh installs it).
    static let optunaPython: String? = {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [ProcessInfo.processInfo.environment["RUNNER_OPTUNA_PYTHON"],
                          repo.appendingPathComponent(".build/pyenv/bin/python").path].compactMap { $0 }
        return candidates.first { python in
            guard FileManager.default.isExecutableFile(atPath: python) else { return false }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: python)
            p.arguments = ["-c", "import optuna"]
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { return false }
            p.waitUntilExit()
            return p.terminationStatus == 0
        }
    }()

    /// runner's estimator gives Optuna's log densities (its `_ParzenEstimator` with TPESampler's
    /// defaults, run on the same observations and points) on a space with every kind of
    /// dimension: reals, a log scale, integers with and without one, a category.
    @Test(.enabled(if: optunaPython != nil, "no Python with optuna (scripts/test.sh sets up .build/pyenv)"))
    func theEstimatorIsOptunas() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let spaces = [#"["float", -5.0, 10.0, false]"#, #"["float", 0.0001, 0.1, true]"#, #"["int", 1, 100, true]"#,
                      #"["int", 16, 128, false]"#, #"["cat", 3]"#]
        // Each kind of dimension alone (the failure names it), then all together.
        for dims in Self.mixed.indices.map({ [$0] }) + [Array(Self.mixed.indices)] {
          for n in [0, 1, 7, 30] {
            let observations = Self.observations(n, seed: UInt64(n) + 1).map { p in dims.map { p[$0] } }
            let points = Self.observations(25, seed: 99).map { p in dims.map { p[$0] } }
            func json(_ rows: [[Double]]) -> String { "[" + rows.map { "[" + $0.map { "\($0)" }.joined(separator: ",") + "]" }.joined(separator: ",") + "]" }
            let space = "[" + dims.map { spaces[$0] }.joined(separator: ", ") + "]"
            let request = #"{"space": \#(space), "observations": \#(json(observations)), "points": \#(json(points))}"#
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.optunaPython!)
            process.arguments = [repo.appendingPathComponent("scripts/optuna-parzen.py").path]
            let input = Pipe(), output = Pipe(), errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            input.fileHandleForWriting.write(Data(request.utf8))
            try input.fileHandleForWriting.close()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "\(stderr)")
            let theirs = text.split(separator: "\n").compactMap { Double($0) }
            try #require(theirs.count == points.count)
            let estimator = ParzenEstimator(points: observations, weights: TPE.weights(n), dimensions: dims.map { Self.mixed[$0] })
            for (point, reference) in zip(points, theirs) {
                let ours = estimator.logDensity(point)
                #expect(abs(ours - reference) <= 1e-9 * max(1, abs(reference)),
                        "dimensions \(dims), \(n) observations at \(point): \(ours) vs Optuna's \(reference)")
            }
          }
        }
    }
}
