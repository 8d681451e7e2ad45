import Testing
import Vocabulary

/// The shared words keep their spellings (run ids, specs and checkpoints depend on them), and
/// the one generator keeps its stream.
@Suite struct VocabularyTests {
    /// SplitMix64's published outputs (Vigna's reference C; seed 1234567 is its test vector).
    @Test func splitMix64MatchesTheReference() {
        var zero = SplitMix64(seed: 0)
        #expect([zero.next(), zero.next(), zero.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var vector = SplitMix64(seed: 1_234_567)
        #expect([vector.next(), vector.next(), vector.next()] == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423])
    }

    /// The spellings a spec writes and a config.json records: changing one would re-id results.
    @Test func namesAreTheSpecsSpellings() {
        #expect(Activation.allCases.map(\.rawValue) == ["sigmoid", "relu", "tanh"])
        #expect(WeightInit.named.map(\.name) == ["default", "kaiming_uniform", "kaiming_normal", "xavier_uniform", "xavier_normal"])
        #expect(WeightInit.named.allSatisfy { $0.scheme.description == $0.name })
        #expect(DatasetName.allCases.map(\.rawValue) == ["mnist", "fashion-mnist"])
        for name in DatasetName.allCases {
            #expect(name.inputs == 784 && name.classes == 10 && name.trainCount == 60_000 && name.testCount == 10_000)
        }
    }
}
