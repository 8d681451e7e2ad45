import Testing
@testable import Experiments

@Suite struct Expansion {
    @Test func gridIsCartesianLastAxisFastest() throws {
        let p = try plan("sweep:\n  activation: [sigmoid, relu]\n  dropout: [0.0, 0.5]\n")
        #expect(p.runs.map(\.name) == [
            "activation=sigmoid,dropout=0.0", "activation=sigmoid,dropout=0.5",
            "activation=relu,dropout=0.0", "activation=relu,dropout=0.5",
        ])
        #expect(p.runs.map(\.index) == [0, 1, 2, 3])
    }

    @Test func threeAxesCount() throws {
        let p = try plan("sweep:\n  lr: [0.1, 0.01, 0.001]\n  batch_size: [16, 32]\n  hidden: [[10], [20, 20]]\n")
        #expect(p.runs.count == 12)
        #expect(p.runs.last?.name == "lr=0.001,batch_size=32,hidden=20x20")
        #expect(p.runs[1].name == "lr=0.1,batch_size=16,hidden=20x20")
    }

    @Test func hiddenOutsideSweepIsOneValue() throws {
        let p = try plan("hidden: [512, 256]\n")
        #expect(p.runs.count == 1)
        #expect(p.runs[0].config.hidden == [512, 256])
        #expect(p.runs[0].name == "s")
    }

    @Test func repeatsUseConsecutiveSeeds() throws {
        let p = try plan("seed: 10\nrepeats: 3\nsweep:\n  activation: [relu, tanh]\n")
        #expect(p.runs.map(\.config.seed) == [10, 11, 12, 10, 11, 12])
        #expect(p.runs[2].name == "activation=relu,seed=12")
    }

    @Test func excludeDropsMatchingRunsAndIncludeAppends() throws {
        let p = try plan("""
            sweep:
              activation: [sigmoid, relu]
              dropout: [0.0, 0.5]
            exclude:
              - {activation: sigmoid, dropout: 0.0}
            include:
              - {activation: sigmoid, dropout: 0.5, epochs: 50}
            """)
        #expect(p.runs.map(\.name) == [
            "activation=sigmoid,dropout=0.5,epochs=20", "activation=relu,dropout=0.0,epochs=20",
            "activation=relu,dropout=0.5,epochs=20", "activation=sigmoid,dropout=0.5,epochs=50",
        ])
    }

    @Test func excludeMatchingNothingIsAnError() {
        #expect(specError("sweep:\n  lr: [0.1, 0.2]\nexclude:\n  - {lr: 0.3}\n") == """
            s.yaml:4:5: error: this exclude entry matches no run of the sweep; check its keys and values
              - {lr: 0.3}
                ^
            """)
    }

    @Test func includeDuplicatingARunIsAnError() {
        #expect(specError("sweep:\n  lr: [0.1, 0.2]\ninclude:\n  - {lr: 0.2}\n") == """
            s.yaml:4:5: error: this include entry repeats run 1 of the plan; remove it
              - {lr: 0.2}
                ^
            """)
    }

    @Test func excludingEverythingIsAnError() {
        #expect(specError("sweep:\n  lr: [0.1]\nexclude:\n  - {lr: 0.1}\n") == """
            s.yaml:1:1: error: every run of the sweep is excluded; nothing to run
            sweep:
            ^
            """)
    }

    @Test func absurdSweepsHitTheLimit() {
        let axis = "[" + (1...100).map(String.init).joined(separator: ", ") + "]"
        let text = "sweep:\n  epochs: \(axis)\n  batch_size: \(axis)\n  seed: \(axis)\n"
        #expect(specError(text) == """
            s.yaml:1:1: error: the sweep expands to 1000000 runs, more than the limit of 10000; shrink it or raise the limit with --max-runs
            sweep:
            ^
            """)
        #expect(specError("sweep:\n  seed: [1, 2, 3]\n", maxRuns: 2)?.contains("expands to 3 runs") == true)
    }
}

@Suite struct RunIdentity {
    let comparison = "sweep:\n  activation: [sigmoid, relu]\n  dropout: [0.0, 0.5]\n"

    @Test func idsAreStableAcrossPlans() throws {
        let a = try plan(comparison), b = try plan(comparison)
        #expect(a.runs.map(\.id) == b.runs.map(\.id))
        #expect(a.runs.allSatisfy { $0.id.count == 12 && $0.id.allSatisfy(\.isHexDigit) })
        #expect(Set(a.runs.map(\.id)).count == 4)
    }

    @Test func idsDependOnTheConfigNotTheSpelling() throws {
        let a = try plan("lr: 0.01\ndropout: 0\nhidden: [512, 256]\n")
        let b = try plan("dropout: 0.0\nhidden:\n  - 512\n  - 256\nlr: 1e-2\nname: other\n")
        #expect(a.runs[0].id == b.runs[0].id)
    }

    @Test func changingOneValueChangesOnlyTheRunsItTouches() throws {
        let before = try plan(comparison + "include:\n  - {activation: tanh}\n")
        let after = try plan(comparison + "include:\n  - {activation: tanh, dropout: 0.2}\n")
        #expect(Array(before.runs.prefix(4).map(\.id)) == Array(after.runs.prefix(4).map(\.id)))
        #expect(before.runs[4].id != after.runs[4].id)
    }

    @Test func canonicalTextListsEveryParameter() {
        let text = Run.canonicalText(of: RunConfig())
        #expect(text == """
            runner-config-v1
            activation=sigmoid
            dropout=0.5
            epochs=20
            lr=0.01
            momentum=0.5
            batch_size=32
            hidden=512x256
            seed=1
            dataset=mnist
            optimizer=sgd
            train_subset=all
            test_subset=all

            """)
    }
}
