import Experiments
import Foundation
import Vocabulary

/// runner's TPE on standard test functions, for scripts/bench-search.sh beside Optuna:
///
///     runner-bench search FUNCTION tpe|random REPS TRIALS [PARALLEL]
///         one line per repetition: the best value after 25, 50 and TRIALS trials
///     runner-bench objective FUNCTION
///         reads points from standard input (one per line, values separated by spaces,
///         categories as indexes) and prints each one's value: the objective code Optuna's
///         side calls, so both sides minimise the same function
///
/// Proposals come in batches of PARALLEL (default 1), each from the trials finished before it
/// (the rest of its batch pending), and real values are kept to 4 significant digits, as a
/// spec's trials are.
enum SearchBench {
    struct Function: Sendable {
        var name: String
        var dimensions: [TPE.Dimension]
        var minimum: Double
        var value: @Sendable ([Double]) -> Double
    }

    static let functions: [Function] = [
        // Branin (Dixon and Szegő 1978), the usual constants; minimum 0.397887 at three points.
        Function(name: "branin", dimensions: [.real(low: -5, high: 10, log: false), .real(low: 0, high: 15, log: false)],
                 minimum: 0.397887) { x in
            let b = 5.1 / (4 * Double.pi * Double.pi), c = 5 / Double.pi, t = 1 / (8 * Double.pi)
            let u = x[1] - b * x[0] * x[0] + c * x[0] - 6
            return u * u + 10 * (1 - t) * cos(x[0]) + 10
        },
        // Hartmann-6 on [0, 1]^6, the usual A, P and alpha; minimum −3.32237.
        Function(name: "hartmann6", dimensions: [TPE.Dimension](repeating: .real(low: 0, high: 1, log: false), count: 6),
                 minimum: -3.32237) { x in
            let alpha = [1.0, 1.2, 3.0, 3.2]
            let a: [[Double]] = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
                                 [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
            let p: [[Double]] = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
                                 [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
            var sum = 0.0
            for i in 0..<4 {
                var inner = 0.0
                for j in 0..<6 { inner += a[i][j] * (x[j] - p[i][j] * 1e-4) * (x[j] - p[i][j] * 1e-4) }
                sum += alpha[i] * exp(-inner)
            }
            return -sum
        },
        // A mixed space like a training spec's: two reals in [0, 1], an integer in 1...100 on a
        // log scale (a width), one of four categories (an activation), each category with its
        // own optimum and offset. Minimum 0 at category 1, (0.8, 0.7), 20.
        Function(name: "mixed", dimensions: [.real(low: 0, high: 1, log: false), .real(low: 0, high: 1, log: false),
                                             .integer(low: 1, high: 100, log: true), .categorical(count: 4)],
                 minimum: 0) { x in
            let centres: [(Double, Double)] = [(0.2, 0.3), (0.8, 0.7), (0.5, 0.9), (0.1, 0.5)]
            let offsets = [0.5, 0, 0.3, 1.0]
            let c = Int(x[3]), (a, b) = centres[c], width = log(x[2]) - log(20)
            return (x[0] - a) * (x[0] - a) + (x[1] - b) * (x[1] - b) + width * width / 4 + offsets[c]
        },
    ]

    static func function(_ name: String) throws -> Function {
        guard let f = functions.first(where: { $0.name == name }) else {
            throw BenchError.message("no test function '\(name)'; one of " + functions.map(\.name).joined(separator: ", "))
        }
        return f
    }

    /// A real value as a spec keeps it (4 significant digits), integers and categories as they are.
    static func kept(_ point: [Double], _ dimensions: [TPE.Dimension]) -> [Double] {
        zip(point, dimensions).map { x, d in
            if case .real = d, x != 0 { return Double(String(format: "%.3e", x))! }
            return x
        }
    }

    /// A seed of its own for each repetition's trial (hashed twice, so no two streams overlap).
    static func streamSeed(rep: Int, trial: Int) -> UInt64 {
        var a = SplitMix64(seed: UInt64(rep))
        var b = SplitMix64(seed: a.next() ^ (UInt64(trial) &* 0xD1B5_4A32_D192_ED03))
        return b.next()
    }

    static func run(_ args: [String]) throws {
        guard args.count >= 4, let reps = Int(args[2]), let trials = Int(args[3]) else {
            throw BenchError.message("usage: runner-bench search FUNCTION tpe|random REPS TRIALS [PARALLEL]")
        }
        let f = try function(args[0]), sampler = args[1], parallel = args.count > 4 ? Int(args[4]) ?? 1 : 1
        guard sampler == "tpe" || sampler == "random" else { throw BenchError.message("sampler: tpe or random, got '\(sampler)'") }
        let tpe = TPE(dimensions: f.dimensions, minimize: true, startup: sampler == "tpe" ? 10 : Int.max)
        for rep in 0..<reps {
            var history: [TPE.Trial] = [], values: [Double] = []
            while history.count < trials {
                let batch = min(parallel, trials - history.count)
                var proposed: [[Double]] = []
                for _ in 0..<batch {
                    // Each trial's own stream: its repetition and number.
                    var rng = SplitMix64(seed: streamSeed(rep: rep, trial: history.count + proposed.count))
                    let pending = proposed.map { TPE.Trial(point: $0, outcome: .pending) }
                    proposed.append(kept(tpe.propose(after: history + pending, rng: &rng), f.dimensions))
                }
                for point in proposed {
                    let v = f.value(point)
                    history.append(TPE.Trial(point: point, outcome: .complete(v)))
                    values.append(v)
                }
            }
            func best(_ n: Int) -> String { String(format: "%.6f", values.prefix(n).min()!) }
            print("rep=\(rep) best25=\(best(25)) best50=\(best(50)) best\(trials)=\(best(trials))")
        }
    }

    static func objective(_ args: [String]) throws {
        guard let name = args.first else { throw BenchError.message("usage: runner-bench objective FUNCTION") }
        let f = try function(name)
        while let line = readLine() {
            let x = line.split(separator: " ").compactMap { Double($0) }
            guard x.count == f.dimensions.count else {
                throw BenchError.message("\(name) takes \(f.dimensions.count) values, got '\(line)'")
            }
            print(String(format: "%.17g", f.value(x)))
            fflush(nil)
        }
    }
}
