import Testing
@testable import Experiments

/// Values are checked as the engine will use them, and one config has one id.
@Suite struct ValuesAsTheEngineUsesThem {
    @Test func minusZeroIsZero() throws {
        let zero = try plan("dropout: 0.0\n"), minus = try plan("dropout: -0.0\n")
        #expect(minus.runs[0].id == zero.runs[0].id)
        #expect(minus.runs[0].config.dropout.sign == .plus)
        let set = try plan("epochs: 2\n", overrides: ["momentum=-0.0"])
        #expect(set.runs[0].config.momentum.sign == .plus)
    }

    @Test(arguments: ["dropout: 0.99999999999", "momentum: 0.99999999999", "lr: 1e-50", "lr: 1e39", "lr: 1e-40"])
    func valuesThatNarrowOutOfRangeAreRefused(_ text: String) {
        #expect(specError(text + "\n")?.contains("as a 32-bit float, the engine's precision") == true)
    }

    @Test func valuesThatNarrowWithinRangeAreKeptAsWritten() throws {
        let p = try plan("dropout: 0.9999999\nlr: 1e-30\n")
        #expect(p.runs[0].config.dropout == 0.9999999)
        #expect(p.runs[0].config.lr == 1e-30)
    }

    @Test func theLargestSeedWorksWithoutRepeats() throws {
        let p = try plan("seed: 9223372036854775807\n")
        #expect(p.runs[0].config.seed == Int.max)
        #expect(specError("seed: 9223372036854775806\nrepeats: 3\n")?.contains("needs seeds past the largest") == true)
        #expect(try plan("seed: 9223372036854775806\nrepeats: 2\n").runs.map(\.config.seed) == [Int.max - 1, Int.max])
    }

    @Test func aSeedAxisOverlappingRepeatsIsAUserError() {
        let message = specError("repeats: 2\nsweep:\n  seed: [1, 2]\n")
        #expect(message?.contains("same config: seed 2 comes both from the seed axis and from repeats: 2") == true)
        #expect(specError("repeats: 2\nsweep:\n  seed: [1, 3]\n") == nil)
    }
}

@Suite struct WholeRunChecks {
    @Test func memoryIsEstimatedFromTheShape() {
        var config = RunConfig()
        // 784-512-256-10: 535,818 parameters; the estimate is dominated by 28 bytes each.
        let bytes = config.estimatedBytes
        #expect(bytes > 28 * 535_818 && bytes < 40 * 535_818 + 20_000_000)
        config.hidden = [65536, 65536]
        config.batchSize = 1_000_000
        #expect(config.estimatedBytes > 1e12)
    }

    @Test func aRunTooLargeForTheLimitIsRefusedAtItsValue() throws {
        let text = "sweep:\n  hidden: [[16], [4096, 4096]]\n"
        let error = try #require(try? spec(text)).error("x", at: "hidden", value: .ints([4096, 4096]))
        #expect(error.mark.line == 2 && error.mark.column == 18)
        #expect(throws: (any Error).self) { try Plan(try spec(text), memoryLimit: 100e6) }
        #expect(try Plan(try spec(text), memoryLimit: 1e9).runs.count == 2)
    }

    @Test func subsetsLargerThanTheirSplitAreRefused() {
        #expect(specError("test_subset: 10001\n")?.contains("larger than mnist's test split of 10000") == true)
        #expect(specError("test_subset: 10000\ntrain_subset: 60000\n") == nil)
        #expect(specError("sweep:\n  train_subset: [100, 70000]\n")?.hasPrefix("s.yaml:2:23: error: train_subset 70000") == true)
    }
}

/// Parameters added after the first release enter a run's id only when set away from the
/// value they had before they existed.
@Suite struct IdsSurviveNewParameters {
    @Test func aLaterParameterAtItsOldValueLeavesTheIdAlone() throws {
        let plain = try plan("activation: relu\n"), zero = try plan("activation: relu\nvalidation: 0\n")
        #expect(plain.runs[0].id == zero.runs[0].id)
        #expect(!Run.canonicalText(of: zero.runs[0].config).contains("validation"))
        #expect(!Run.json(of: zero.runs[0].config).contains("validation"))
        let held = try plan("activation: relu\nvalidation: 5000\n")
        #expect(held.runs[0].id != plain.runs[0].id)
        #expect(Run.canonicalText(of: held.runs[0].config).hasSuffix("test_subset=all\nvalidation=5000\n"))
    }

    @Test func everyFirstReleaseParameterIsAlwaysHashed() {
        let first = ["activation", "dropout", "epochs", "lr", "momentum", "batch_size", "hidden", "seed",
                     "dataset", "optimizer", "train_subset", "test_subset"]
        #expect(Parameter.all.filter { $0.introducedAt == nil }.map(\.key) == first)
    }
}

/// Learning-rate schedules against PyTorch 1.13's StepLR and CosineAnnealingLR (the rates its
/// optimizer's param_groups hold before each epoch, printed with repr): equal bit for bit.
@Suite struct LearningRateSchedules {
    @Test func stepLikePyTorch() {
        let s = LRSchedule.step(stepSize: 2, gamma: 0.5)
        #expect((1...6).map { s.lr(epoch: $0, base: 0.01, epochs: 6) } == [0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025])
    }

    @Test func cosineLikePyTorch() {
        let s = LRSchedule.cosine(etaMin: 0.001)
        #expect((1...5).map { s.lr(epoch: $0, base: 0.01, epochs: 5) }
                == [0.01, 0.009140576474687266, 0.006890576474687264, 0.004109423525312737, 0.0018594235253127371])
        let long = (1...20).map { LRSchedule.cosine(etaMin: 0).lr(epoch: $0, base: 0.05, epochs: 20) }
        #expect(long[10] == 0.025000000000000005 && long[19] == 0.00030779148512155856 && long[5] == 0.042677669529663696)
    }

    @Test func normalizeSpellings() throws {
        let mnist = try plan("normalize: mnist\n"), numbers = try plan("normalize: [0.1307, 0.3081]\n")
        #expect(mnist.runs[0].id == numbers.runs[0].id)
        #expect(mnist.runs[0].config.normalize == InputNormalization(mean: 0.1307, std: 0.3081))
        #expect(try plan("normalize: none\n").runs[0].id == (try plan("epochs: 20\n")).runs[0].id)
        #expect(specError("normalize: [0.5, 0]\n")?.contains("normalize std must be a number > 0") == true)
        #expect(specError("normalize: imagenet\n")?.contains("normalize must be none, mnist, or [mean, std]") == true)
    }

    @Test func spellingsAndIds() throws {
        #expect(try plan("lr_schedule: constant\n").runs[0].id == (try plan("epochs: 20\n")).runs[0].id)
        let step = try plan("lr_schedule: {step: {step_size: 5, gamma: 0.1}}\n")
        #expect(step.runs[0].config.lrSchedule == .step(stepSize: 5, gamma: 0.1))
        #expect(Run.canonicalText(of: step.runs[0].config).hasSuffix("lr_schedule=step(step_size=5,gamma=0.1)\n"))
        #expect(try plan("lr_schedule: cosine\n").runs[0].config.lrSchedule == .cosine(etaMin: 0))
        let swept = try plan("sweep:\n  lr_schedule: [constant, {cosine: {eta_min: 0.001}}]\n")
        #expect(swept.runs.map(\.name) == ["lr_schedule=constant", "lr_schedule=cosine(eta_min=0.001)"])
        #expect(LRSchedule(canonical: "cosine(eta_min=0.001)") == .cosine(etaMin: 0.001))
        #expect(specError("lr_schedule: {step: {gamma: 0.5}}\n")?.contains("needs step_size") == true)
    }
}

@Suite struct InitSpellings {
    @Test func initIsAChoiceThatLeavesDefaultIdsAlone() throws {
        let a = try plan("init: default\n"), b = try plan("epochs: 20\n")
        #expect(a.runs[0].id == b.runs[0].id)
        let kaiming = try plan("init: kaiming_normal\n")
        #expect(kaiming.runs[0].config.weightInit == .kaimingNormal)
        #expect(specError("init: he\n")?.contains("init must be one of default, kaiming_uniform") == true)
    }
}

@Suite struct SGDOptions {
    @Test func weightDecayAndNesterovLeaveDefaultIdsAlone() throws {
        let plain = try plan("epochs: 20\n"), zero = try plan("weight_decay: 0\nnesterov: false\n")
        #expect(plain.runs[0].id == zero.runs[0].id)
        let set = try plan("weight_decay: 0.0005\nnesterov: true\n")
        #expect(set.runs[0].config.weightDecay == 0.0005 && set.runs[0].config.nesterov)
        #expect(Run.canonicalText(of: set.runs[0].config).hasSuffix("weight_decay=0.0005\nnesterov=true\n"))
    }
}

@Suite struct AdamAndBatchNormOptions {
    @Test func newKeysLeaveDefaultIdsAlone() throws {
        let plain = try plan("epochs: 20\n")
        let spelled = try plan("betas: [0.9, 0.999]\neps: 1e-8\nbatch_norm: false\n")
        #expect(plain.runs[0].id == spelled.runs[0].id)
        let normed = try plan("batch_norm: true\n")
        #expect(normed.runs[0].config.batchNorm && normed.runs[0].id != plain.runs[0].id)
        #expect(Run.canonicalText(of: normed.runs[0].config).hasSuffix("batch_norm=true\n"))
    }

    /// PyTorch's defaults: AdamW decays by 0.01 unless the run writes a decay (at the top, on
    /// an axis or in its include entry); Adam and SGD by 0.
    @Test func adamwDefaultsToPyTorchsDecay() throws {
        #expect(try plan("optimizer: adamw\n").runs[0].config.weightDecay == 0.01)
        #expect(try plan("optimizer: adam\n").runs[0].config.weightDecay == 0)
        #expect(try plan("optimizer: adamw\nweight_decay: 0\n").runs[0].config.weightDecay == 0)
        let swept = try plan("sweep:\n  optimizer: [sgd, adamw]\n")
        #expect(swept.runs.map(\.config.weightDecay) == [0, 0.01])
        let included = try plan("optimizer: sgd\ninclude:\n  - {optimizer: adamw}\n  - {optimizer: adamw, weight_decay: 0.1}\n")
        #expect(included.runs.map(\.config.weightDecay) == [0, 0.01, 0.1])
        // Writing PyTorch's default gives the same run as leaving it out.
        #expect(try plan("optimizer: adamw\n").runs[0].id == plan("optimizer: adamw\nweight_decay: 0.01\n").runs[0].id)
        let betas = try plan("optimizer: adam\nbetas: [0.5, 0.99]\neps: 1e-6\n").runs[0].config
        #expect(betas.betas == AdamBetas(0.5, 0.99) && betas.eps == 1e-6)
    }

    @Test func mistakesAreSpecErrors() {
        #expect(specError("optimizer: adam\nnesterov: true\n")?.contains("2:11: error: nesterov is an SGD option") == true)
        #expect(specError("betas: 0.9\n")?.contains("1:8: error: betas must be a list of two numbers") == true)
        #expect(specError("betas: [0.9, 1]\n")?.contains("1:14: error: betas[1] (beta2) must be a number in [0, 1)") == true)
        #expect(specError("betas: [0.9, 0.99999999999]\n")?.contains("below 1 as a 32-bit float") == true)
        #expect(specError("eps: 0\n")?.contains("eps must be a number > 0") == true)
        #expect(specError("optimizer: rmsprop\n")?.contains("optimizer must be one of sgd, adam, adamw") == true)
        // A last training batch of one row: PyTorch's BatchNorm1d refuses it in training.
        let lonely = specError("batch_norm: true\ntrain_subset: 33\n")
        #expect(lonely?.contains("1:13: error: batch_norm needs at least 2 examples in every training batch; "
            + "33 training examples in batches of 32 (the last batch has one)") == true, "\(lonely ?? "")")
        #expect(specError("batch_norm: true\nbatch_size: 1\n")?.contains("batch_size 1") == true)
        #expect(specError("batch_norm: true\ntrain_subset: 34\n") == nil)
        // Adam's settings on an SGD run would go unused.
        #expect(specError("betas: [0.8, 0.99]\n")?.contains("1:8: error: betas are Adam's and AdamW's; this run's optimizer is sgd") == true)
        #expect(specError("eps: 1e-6\nsweep:\n  optimizer: [adam, sgd]\n")?.contains("1:6: error: eps is Adam's") == true)
        #expect(specError("eps: 1e-6\noptimizer: adamw\n") == nil)
    }
}
