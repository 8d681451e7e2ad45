import Vocabulary

/// The validation split and the training-evaluation sample: fixed choices, the same for every
/// run, seed and machine, so every run of a study validates on the same examples.
///
/// Both come from fixed permutations of the training split: Fisher–Yates shuffles driven by
/// SplitMix64 streams with the constant seeds below (never a run's seed). The validation split
/// is the examples at the first N positions of one permutation; the rest stay for training in
/// their original order. The training-evaluation sample is the first (at most) 10,000 positions
/// of a second permutation of what is left for training.
public enum ValidationSplit {
    /// Seeds of the two permutations (the date the split was defined; changing either would
    /// change every validation figure).
    public static let validationSeed: UInt64 = 20_261_128
    public static let sampleSeed: UInt64 = 20_261_129
    /// Examples in the training-evaluation sample (fewer when training has fewer).
    public static let sampleSize = 10_000

    /// Splits the training examples: `n` held out for validation, the rest kept for training
    /// in their original order.
    /// - Precondition: `0 <= n < images.count` (plans check it at the spec's line).
    public static func split(_ images: LabeledImages, validation n: Int) -> (train: LabeledImages, validation: LabeledImages?) {
        guard n > 0 else { return (images, nil) }
        let order = permutation(count: images.count, seed: validationSeed)
        let held = Array(order[0..<n])
        var isHeld = [Bool](repeating: false, count: images.count)
        for i in held { isHeld[i] = true }
        let kept = (0..<images.count).filter { !isHeld[$0] }
        return (images.subset(kept), images.subset(held))
    }

    /// The fixed sample of `images` on which training figures are measured in evaluation mode.
    public static func evaluationSample(_ images: LabeledImages) -> LabeledImages {
        guard images.count > sampleSize else { return images }
        return images.subset(Array(permutation(count: images.count, seed: sampleSeed)[0..<sampleSize]))
    }

    /// A permutation of 0..<count: Fisher–Yates with SplitMix64 (Steele, Lea and Flood 2014),
    /// indices drawn by Lemire's multiply-shift (bias below 2^-32 for these sizes).
    static func permutation(count: Int, seed: UInt64) -> [Int] {
        var generator = SplitMix64(seed: seed)
        func next() -> UInt64 { generator.next() }
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            let j = Int(((next() >> 32) &* UInt64(i + 1)) >> 32)
            order.swapAt(i, j)
            i -= 1
        }
        return order
    }
}
