import Testing
@testable import Datasets

/// The validation split: fixed, disjoint from training, the same whatever the run.
@Suite struct ValidationSplitTests {
    /// 1,000 one-pixel "images" whose pixel and label spell their index.
    static let images = LabeledImages(pixels: (0..<1000).map { UInt8($0 % 251) }, labels: (0..<1000).map { UInt8($0 % 10) },
                                      pixelsPerImage: 1, classes: 10)

    /// Index of each example, from its pixel and label (unique for 0..<1000... by pixel and position).
    func ids(_ images: LabeledImages) -> [Int] {
        zip(images.pixels, images.labels).map { p, l in
            (0..<1000).first { $0 % 251 == Int(p) && $0 % 10 == Int(l) }!  // unique below lcm(251, 10) = 2510
        }
    }

    @Test func heldOutExamplesAreFixedDisjointAndComplete() throws {
        let (train, validation) = ValidationSplit.split(Self.images, validation: 100)
        let held = ids(try #require(validation)), kept = ids(train)
        #expect(held.count == 100 && kept.count == 900)
        #expect(Set(held).isDisjoint(with: kept))
        #expect(Set(held).union(kept) == Set(0..<1000))
        // Training keeps the original order; the held-out ones are spread, not a block.
        #expect(kept == kept.sorted())
        #expect(held.max()! - held.min()! > 500)
        // The same examples every time (no run's seed is involved).
        let again = ValidationSplit.split(Self.images, validation: 100)
        #expect(ids(try #require(again.validation)) == held)
        // A larger split holds out the smaller one's examples too (the same permutation).
        let larger = ValidationSplit.split(Self.images, validation: 200)
        #expect(Set(held).isSubset(of: ids(try #require(larger.validation))))
    }

    @Test func noSplitWithoutValidation() {
        let (train, validation) = ValidationSplit.split(Self.images, validation: 0)
        #expect(validation == nil)
        #expect(train.pixels == Self.images.pixels && train.labels == Self.images.labels)
    }

    @Test func theTrainingSampleIsFixedAndBounded() {
        #expect(ValidationSplit.evaluationSample(Self.images).count == 1000)
        let big = LabeledImages(pixels: [UInt8](repeating: 1, count: 25_000), labels: [UInt8](repeating: 3, count: 25_000),
                                pixelsPerImage: 1, classes: 10)
        #expect(ValidationSplit.evaluationSample(big).count == ValidationSplit.sampleSize)
        let a = ValidationSplit.permutation(count: 25_000, seed: ValidationSplit.sampleSeed)
        #expect(a == ValidationSplit.permutation(count: 25_000, seed: ValidationSplit.sampleSeed))
        #expect(Set(a).count == 25_000)
        let b = ValidationSplit.permutation(count: 25_000, seed: ValidationSplit.validationSeed)
        #expect(a != b)
        // Shuffled, not rotated or nearly sorted: few fixed points, few neighbours kept.
        let fixed = a.enumerated().filter { $0.offset == $0.element }.count
        let neighbours = zip(a, a.dropFirst()).filter { $1 == $0 + 1 }.count
        #expect(fixed < 10 && neighbours < 10, "fixed points \(fixed), kept neighbours \(neighbours)")
    }
}
