import Testing
@testable import Experiments
import Vocabulary

@Suite struct SpecReading {
    @Test func defaultsAreTheSeedProgram() throws {
        let config = try spec("epochs: 20\n").base
        #expect(config == RunConfig())
        #expect(config.activation == .sigmoid && config.dropout == 0.5 && config.lr == 0.01)
        #expect(config.momentum == 0.5 && config.batchSize == 32 && config.hidden == [512, 256])
        #expect(config.dataset == .named(.mnist) && config.optimizer == .sgd && config.epochs == 20)
    }

    @Test func everyKeyIsRead() throws {
        let s = try spec("""
            name: study-1
            description: all keys
            activation: tanh
            dropout: 0
            epochs: 3
            lr: 1e-3
            momentum: 0.9
            batch_size: 64
            hidden: [100]
            seed: 7
            dataset: fashion-mnist
            optimizer: sgd
            train_subset: 1000
            test_subset: ~
            """)
        #expect(s.name == "study-1" && s.summary == "all keys")
        var expected = RunConfig()
        expected.activation = .tanh
        expected.dropout = 0
        expected.epochs = 3
        expected.lr = 0.001
        expected.momentum = 0.9
        expected.batchSize = 64
        expected.hidden = [100]
        expected.seed = 7
        expected.dataset = .named(.fashionMNIST)
        expected.trainSubset = 1000
        #expect(s.base == expected)
    }

    @Test func overridesAreTypedAndReplaceAxes() throws {
        let p = try plan("sweep:\n  activation: [sigmoid, relu]\n  dropout: [0.0, 0.5]\n",
                         overrides: ["activation=relu", "hidden=[64, 32]", "epochs = 2"])
        #expect(p.runs.count == 2)
        #expect(p.runs.allSatisfy { $0.config.activation == .relu && $0.config.hidden == [64, 32] })
        #expect(p.runs.allSatisfy { $0.config.epochs == 2 })
        #expect(p.runs.map(\.config.dropout) == [0.0, 0.5])
    }
}

/// Each kind of invalid spec, with its exact rendered message.
@Suite struct SpecErrors {
    @Test func unknownKeySuggestsTheNearest() {
        #expect(specError("activation: relu\ndropuot: 0.5\n") == """
            s.yaml:2:1: error: unknown key 'dropuot' in a spec; did you mean 'dropout'?
            dropuot: 0.5
            ^
            """)
    }

    @Test func unknownKeyFarFromAnyHasNoSuggestion() {
        #expect(specError("colour: red\n") == """
            s.yaml:1:1: error: unknown key 'colour' in a spec
            colour: red
            ^
            """)
    }

    @Test func unknownSweepAxis() {
        #expect(specError("sweep:\n  batchsize: [32, 64]\n") == """
            s.yaml:2:3: error: unknown key 'batchsize' in sweep; did you mean 'batch_size'?
              batchsize: [32, 64]
              ^
            """)
    }

    @Test func dropoutOutOfRange() {
        #expect(specError("activation: relu\ndropout: 1.5\n") == """
            s.yaml:2:10: error: dropout must be a number in [0, 1), got 1.5
            dropout: 1.5
                     ^
            """)
    }

    @Test func epochsNotAnInteger() {
        #expect(specError("epochs: ten\n") == """
            s.yaml:1:9: error: epochs must be an integer in 1...1000000, got 'ten'
            epochs: ten
                    ^
            """)
    }

    @Test func hugeInteger() {
        #expect(specError("seed: 123456789012345678901234567890\n") == """
            s.yaml:1:7: error: seed must be an integer >= 0, got 123456789012345678901234567890
            seed: 123456789012345678901234567890
                  ^
            """)
    }

    @Test func nonFiniteNumber() {
        #expect(specError("lr: .inf\n") == """
            s.yaml:1:5: error: lr must be a finite number > 0, got .inf
            lr: .inf
                ^
            """)
    }

    @Test func wrongTypeInList() {
        #expect(specError("hidden: [512, big]\n") == """
            s.yaml:1:15: error: hidden layer size must be an integer in 1...65536, got 'big'
            hidden: [512, big]
                          ^
            """)
    }

    @Test func hiddenNotAList() {
        #expect(specError("hidden: 512\n") == """
            s.yaml:1:9: error: hidden must be a list of layer sizes such as [512, 256], got an integer
            hidden: 512
                    ^
            """)
    }

    @Test func unknownActivation() {
        #expect(specError("activation: sigmod\n") == """
            s.yaml:1:13: error: activation must be one of sigmoid, relu, tanh; got 'sigmod'; did you mean 'sigmoid'?
            activation: sigmod
                        ^
            """)
    }

    @Test func emptySpec() {
        #expect(specError("") == "s.yaml:1:1: error: the spec is empty; set at least one parameter, e.g. 'activation: relu'")
    }

    @Test func notAMapping() {
        #expect(specError("- relu\n") == """
            s.yaml:1:1: error: a spec must be a mapping of keys to values, got a list
            - relu
            ^
            """)
    }

    @Test func sweepAxisNotAList() {
        #expect(specError("sweep:\n  dropout: 0.5\n") == """
            s.yaml:2:12: error: sweep axis 'dropout' must be a list of values, e.g. [0.5]; got a number
              dropout: 0.5
                       ^
            """)
    }

    @Test func emptySweepAxis() {
        #expect(specError("sweep:\n  lr: []\n") == """
            s.yaml:2:7: error: sweep axis 'lr' is empty; give at least one value
              lr: []
                  ^
            """)
    }

    @Test func repeatedSweepValue() {
        #expect(specError("sweep:\n  lr: [0.1, 0.10]\n") == """
            s.yaml:2:13: error: sweep axis 'lr' lists 0.1 twice
              lr: [0.1, 0.10]
                        ^
            """)
    }

    @Test func badName() {
        #expect(specError("name: ../escape\n") == """
            s.yaml:1:7: error: name must be a folder name of letters, digits, '.', '_' or '-', got '../escape'
            name: ../escape
                  ^
            """)
    }

    @Test func overrideWithUnknownKey() {
        #expect(specError("epochs: 1\n", overrides: ["epoch=3"]) == """
            --set:1:1: error: unknown key 'epoch' in --set; did you mean 'epochs'?
            epoch=3
            ^
            """)
    }

    @Test func overrideWithBadValue() {
        #expect(specError("epochs: 1\n", overrides: ["dropout=2"]) == """
            --set:1:9: error: dropout must be a number in [0, 1), got 2
            dropout=2
                    ^
            """)
    }

    @Test func overrideWithoutEquals() {
        #expect(specError("epochs: 1\n", overrides: ["dropout"]) == """
            --set:1:1: error: an override must be key=value, e.g. --set dropout=0.2
            dropout
            ^
            """)
    }

    @Test func overrideWithBrokenYAML() {
        #expect(specError("epochs: 1\n", overrides: ["hidden=[1, 2"]) == """
            --set:1:8: error: this flow list is never closed; add a ',' between items and a closing ']'
            hidden=[1, 2
                   ^
            """)
    }
}
