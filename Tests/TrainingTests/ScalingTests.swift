import Datasets
import Testing
import Vocabulary
@testable import Training

/// A run's feature scaling, fitted on its training examples as scikit-learn's scalers fit.
@Suite struct ScalingTests {
    /// Three rows of three features; the last is constant.
    let train = LabeledImages(features: [1, 10, 7, 2, 20, 7, 6, 60, 7], labels: [0, 1, 0], width: 3, classes: 2)

    @Test func standardizeUsesThePopulationDeviationAndLeavesConstantsAlone() {
        let s = Scaling(.standardize, fittedOn: train)
        #expect(s.shift == [3, 30, 7])
        // StandardScaler: sqrt(mean((x - mean)^2)): for [1, 2, 6], sqrt(14/3).
        #expect(s.divisor == [Float((14.0 / 3).squareRoot()), Float((1400.0 / 3).squareRoot()), 1])
    }

    @Test func minmaxMapsTheTrainingRangeOntoZeroToOne() {
        let s = Scaling(.minmax, fittedOn: train)
        #expect(s.shift == [1, 10, 7] && s.divisor == [5, 50, 1])
    }

    @Test func divideAndNone() {
        #expect(Scaling(.divide(255), fittedOn: train).divisor == [255, 255, 255])
        #expect(Scaling(.none, fittedOn: train).shift.isEmpty)
        #expect(Scaling(.minmax, fittedOn: train).json(classNames: ["a", "b\""])
                .contains("\"class_names\": [\"a\", \"b\\\"\"]"))
    }
}
