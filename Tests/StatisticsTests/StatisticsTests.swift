import Testing
@testable import Statistics

/// Checked against SciPy 1.x (`scipy.stats.t`, `ttest_ind(..., equal_var=False)`), and the
/// Welch example of Wikipedia's "Welch's t-test" article (A1, A2: t = 2.46, p = 0.021).
/// Tolerance: 1e-9 relative, far below any printed digit.
@Suite struct StatisticsTests {
    func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

    @Test(arguments: [(1.0, 12.706204736174694), (2.0, 4.302652729749462), (4.0, 2.7764451051977934),
                      (9.0, 2.262157162798205), (30.0, 2.0422724563012378), (1000.0, 1.9623390808264083)])
    func tQuantiles(df: Double, expected: Double) {
        let q = StudentT(degreesOfFreedom: df).quantile(0.975)
        #expect(close(q, expected), "df \(df): \(q) vs \(expected)")
        #expect(close(StudentT(degreesOfFreedom: df).quantile(0.025), -expected))
    }

    @Test func tDistribution() {
        #expect(close(StudentT(degreesOfFreedom: 5).cdf(2.0), 0.9490302605850708))
        #expect(close(StudentT(degreesOfFreedom: 2.5).cdf(-1.3), 0.15024339463535416))
        #expect(StudentT(degreesOfFreedom: 3).cdf(0) == 0.5)
    }

    @Test func welchAgainstTheTextbookExample() throws {
        let a = Sample([27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4])
        let b = Sample([27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4])
        let w = try #require(WelchTest(a, b))
        #expect(close(w.t, 2.455356398286006))
        #expect(close(w.p, 0.021378001462866992))
        #expect(close(w.degreesOfFreedom, 24.988529290231416))
        #expect(close(w.difference, 2.166666666666668))
        #expect(close(w.interval.lowerBound, 0.3492370661924069) && close(w.interval.upperBound, 3.984096267140929))
        // Swapping the samples flips the sign, not the p-value.
        let back = try #require(WelchTest(b, a))
        #expect(close(back.difference, -w.difference) && close(back.p, w.p))
    }

    @Test func tIntervalOfAMean() throws {
        let s = Sample([90.1, 90.5, 89.8, 90.3, 90.0])
        #expect(close(try #require(s.mean), 90.14))
        #expect(close(try #require(s.standardDeviation), 0.2701851217221266))
        let ci = try #require(s.confidenceInterval())
        #expect(close(ci.lowerBound, 89.80452086150733) && close(ci.upperBound, 90.47547913849267))
    }

    @Test func tooSmallSamplesHaveNoInterval() {
        #expect(Sample([1]).confidenceInterval() == nil && Sample([1]).standardDeviation == nil)
        #expect(Sample([]).mean == nil)
        #expect(WelchTest(Sample([1, 2]), Sample([3])) == nil)
        #expect(WelchTest(Sample([1, 1]), Sample([1, 1])) == nil)
    }
}

/// Any figure is data: a diverged run's NaN, an infinity, a huge finite value. Nothing traps;
/// what has no meaning (an interval, a test) is nil.
@Suite struct NonFiniteInput {
    @Test(arguments: [[97.0, .nan], [.infinity, 98], [-.infinity, .infinity], [.nan, .nan, .nan]])
    func samplesWithNonFiniteValuesHaveNoInterval(_ values: [Double]) {
        let sample = Sample(values)
        #expect(sample.confidenceInterval() == nil)
        #expect(WelchTest(sample, Sample([1, 2, 3])) == nil)
        #expect(WelchTest(Sample([1, 2, 3]), sample) == nil)
    }

    @Test func hugeFiniteValuesDoNotOverflowTheMean() {
        let sample = Sample([1e308, 1e308, 1e308])
        #expect(sample.mean == 1e308)
        #expect(sample.confidenceInterval() == 1e308...1e308)
        // Their spread overflows: no interval, no test, and no trap.
        let wide = Sample([1e308, -1e308])
        #expect(wide.mean == 0)
        #expect(wide.confidenceInterval() == nil)
        #expect(WelchTest(wide, Sample([1, 2])) == nil)
    }
}
