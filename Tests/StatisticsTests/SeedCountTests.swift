import Foundation
import Testing
@testable import Statistics

/// `runner seeds`' arithmetic: the noncentral t against SciPy's (when a Python with SciPy is
/// there) and against its own limits, and the advised seed count against a simulation of the
/// very test it advises for.
@Suite struct SeedCountTests {
    /// With no noncentrality it is Student's t; its two tails add to 1.
    @Test func theNoncentralTReducesToStudentsT() {
        for (df, x) in [(1.0, 0.7), (3.0, -1.2), (8.5, 2.1), (40.0, 0.3)] {
            let central = NoncentralT(degreesOfFreedom: df, noncentrality: 0)
            #expect(abs(central.cdf(x) - StudentT(degreesOfFreedom: df).cdf(x)) < 1e-6, "df \(df), x \(x)")
            let shifted = NoncentralT(degreesOfFreedom: df, noncentrality: 1.7)
            #expect(abs(shifted.cdf(x) + shifted.survival(x) - 1) < 1e-6)
        }
    }

    /// A Python with SciPy: $RUNNER_SCIPY_PYTHON, else .build/pyenv's (it has scikit-learn's).
    static let scipyPython: String? = {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return [ProcessInfo.processInfo.environment["RUNNER_SCIPY_PYTHON"], repo.appendingPathComponent(".build/pyenv/bin/python").path]
            .compactMap { $0 }.first { python in
                guard FileManager.default.isExecutableFile(atPath: python) else { return false }
                let p = Process()
                p.executableURL = URL(fileURLWithPath: python)
                p.arguments = ["-c", "import scipy.stats"]
                p.standardError = FileHandle.nullDevice
                guard (try? p.run()) != nil else { return false }
                p.waitUntilExit()
                return p.terminationStatus == 0
            }
    }()

    @Test(.enabled(if: scipyPython != nil, "no Python with SciPy (scripts/test.sh sets up .build/pyenv)"))
    func theNoncentralTIsSciPys() throws {
        let cases: [(Double, Double, Double)] = [(1, 0.5, 1.0), (2.3, 2.0, 3.1), (4, 3.0, 2.776), (9.7, 1.2, -0.4), (30, 4.5, 2.04), (120, 2.8, 1.98)]
        let code = "import scipy.stats as s\n" + cases.map { "print(repr(float(s.nct.sf(\($0.2), \($0.0), \($0.1)))))" }.joined(separator: "\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.scipyPython!)
        process.arguments = ["-c", code]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let theirs = text.split(separator: "\n").compactMap { Double($0) }
        try #require(theirs.count == cases.count)
        for ((df, delta, x), reference) in zip(cases, theirs) {
            let ours = NoncentralT(degreesOfFreedom: df, noncentrality: delta).survival(x)
            #expect(abs(ours - reference) < 2e-6, "df \(df), δ \(delta), x \(x): \(ours) vs SciPy's \(reference)")
        }
    }

    /// The advice, checked by doing what it says: 4,000 simulated studies (normal figures with
    /// the given spreads and a true difference of `detect`), each with the advised number of
    /// seeds, are decided by Welch's test at the advised power; one seed fewer falls short.
    @Test(arguments: [(0.108, 0.043, 0.1), (0.3, 0.3, 0.25), (1.0, 0.5, 1.2)])
    func theAdvisedSeedsReachThePower(sdA: Double, sdB: Double, detect: Double) {
        let advice = SeedCount(sdA: sdA, sdB: sdB, detect: detect)
        let n = try! #require(advice.perGroup)
        #expect(advice.power >= 0.8 && SeedCount.power(n: n - 1, sdA: sdA, sdB: sdB, detect: detect) < 0.8 || n == 2)
        var rng = SequentialSimulation.NormalStream(seed: 11)
        func rate(_ n: Int) -> Double {
            let studies = 4000
            var rejected = 0
            for _ in 0..<studies {
                let a = Sample((0..<n).map { _ in rng.normal() * sdA })
                let b = Sample((0..<n).map { _ in detect + rng.normal() * sdB })
                if let test = WelchTest(a, b), test.p < 0.05 { rejected += 1 }
            }
            return Double(rejected) / Double(studies)
        }
        // Four thousand studies measure a rate near 0.8 to about ±0.013 (two standard errors).
        let atAdvice = rate(n)
        #expect(abs(atAdvice - advice.power) < 0.02, "simulated \(atAdvice), computed \(advice.power) at n = \(n)")
        if n > 2 { #expect(rate(n - 1) < 0.8 + 0.02) }
    }
}
