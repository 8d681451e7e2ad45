import Foundation
import Testing
import Vocabulary
@testable import Experiments

/// A config read back through its type: what was written comes back equal, a parameter added
/// after a record was written reads as the value it had before it existed, and a broken record
/// is an error rather than a default.
@Suite struct RunConfigCodable {
    func decode(_ json: String) throws -> RunConfig {
        try JSONDecoder().decode(RunConfig.self, from: Data(json.utf8))
    }

    /// Every parameter away from its default, and the seed program's defaults.
    static let specs = [
        "epochs: 1\n",
        """
        activation: relu
        dropout: 0.25
        epochs: 7
        lr: 0.003
        momentum: 0.9
        batch_size: 64
        hidden: []
        seed: 12
        dataset: fashion-mnist
        optimizer: adamw
        train_subset: 5000
        test_subset: 1000
        validation: 2000
        lr_schedule: {step: {step_size: 2, gamma: 0.5}}
        normalize: mnist
        init: kaiming_normal
        weight_decay: 0.05
        betas: [0.8, 0.99]
        eps: 1e-6
        batch_norm: true
        early_stopping: {metric: val_loss, patience: 2, min_delta: 0.001}
        """,
        "optimizer: sgd\nnesterov: true\nmomentum: 0.9\nhidden: [1000]\nnormalize: [0.5, 0.25]\nlr_schedule: cosine\n",
    ]

    @Test(arguments: specs)
    func whatIsWrittenReadsBackEqual(_ text: String) throws {
        for run in try plan(text).runs {
            let json = Run.json(of: run.config)
            #expect(try decode(json) == run.config, "\(json)")
            // The encoder writes the same object the id hashes.
            let encoded = try JSONEncoder().encode(run.config)
            #expect(try decode(String(decoding: encoded, as: UTF8.self)) == run.config)
        }
    }

    /// A record of the first release (only its parameters) reads every later parameter as
    /// the value it had before it existed, so its id and groups are those of today's
    /// equivalent config.
    @Test func aFirstReleaseRecordReadsLaterParametersAsIntroduced() throws {
        let old = """
            {"activation": "relu", "dropout": 0.5, "epochs": 20, "lr": 0.01, "momentum": 0.5, "batch_size": 32, \
            "hidden": [512, 256], "seed": 3, "dataset": "mnist", "optimizer": "sgd", "train_subset": null, "test_subset": null}
            """
        let config = try decode(old)
        var expected = RunConfig()
        expected.activation = .relu
        expected.seed = 3
        #expect(config == expected)
        for parameter in Parameter.all where parameter.introducedAt != nil {
            #expect(parameter.read(config) == parameter.introducedAt, "\(parameter.key)")
        }
        #expect(Run.json(of: config) == old.replacingOccurrences(of: "\n", with: ""))
    }

    @Test func aMissingFirstReleaseParameterIsAnError() {
        #expect(throws: DecodingError.self) {
            _ = try decode("{\"activation\": \"relu\", \"dropout\": 0.5}")
        }
    }

    @Test(arguments: [("activation", "\"swish\""), ("lr_schedule", "\"sometimes\""), ("epochs", "\"ten\""),
                      ("hidden", "512"), ("train_subset", "\"all\"")])
    func aValueTheParameterWouldNotTakeIsAnError(key: String, value: String) throws {
        var fields = ["\"activation\": \"relu\"", "\"dropout\": 0.5", "\"epochs\": 2", "\"lr\": 0.01", "\"momentum\": 0.5",
                      "\"batch_size\": 32", "\"hidden\": [8]", "\"seed\": 1", "\"dataset\": \"mnist\"",
                      "\"optimizer\": \"sgd\"", "\"train_subset\": null", "\"test_subset\": null"]
        #expect(throws: Never.self) { _ = try decode("{" + fields.joined(separator: ", ") + "}") }
        fields.removeAll { $0.hasPrefix("\"\(key)\"") }
        fields.append("\"\(key)\": \(value)")
        #expect(throws: DecodingError.self) { _ = try decode("{" + fields.joined(separator: ", ") + "}") }
    }
}

/// The arithmetic a plan's time estimate divides by the engine's speed.
@Suite struct RunWork {
    @Test func theSeedRunsWorkCountedByHand() {
        let config = RunConfig()
        // 784 x 512 + 512 x 256 + 256 x 10 multiply-adds an example.
        #expect(config.multiplyAddsPerExample == 535_040)
        // 20 epochs x (6 x 60,000 training + 2 x (10,000 test + 10,000 training sample)).
        #expect(config.estimatedFLOPs == 20 * 535_040 * 400_000)
        var small = config
        small.trainSubset = 3000
        small.testSubset = 1000
        small.validation = 500
        small.epochs = 2
        #expect(small.estimatedFLOPs == 2 * 535_040 * (6 * 3000 + 2 * (1000 + 3000 + 500)))
    }
}

/// Whole-config rules, written once (`RunConfig.problems`): a plan reports every one a run
/// breaks, each at its value's line.
@Suite struct ConfigRules {
    @Test func everyBrokenRuleIsListedOnce() {
        var config = RunConfig()
        #expect(config.problems().isEmpty)
        config.optimizer = .adam
        config.nesterov = true
        config.batchNorm = true
        config.batchSize = 1
        config.testSubset = 20_000
        #expect(config.problems().map(\.key) == ["nesterov", "test_subset", "batch_norm"])
        config.dropout = -0.5
        #expect(config.problems().map(\.key) == ["dropout", "nesterov", "test_subset", "batch_norm"])
        #expect(config.valueProblems().map(\.key) == ["dropout"])
    }

    @Test func aPlanReportsEveryRuleARunBreaksAtItsLine() {
        let error = specError("optimizer: adam\nnesterov: true\nbatch_norm: true\nbatch_size: 1\n")
        #expect(error == """
            s.yaml:2:11: error: nesterov is an SGD option; adam has none (its betas play momentum's part)
            nesterov: true
                      ^
            s.yaml:3:13: error: batch_norm needs at least 2 examples in every training batch; batch_size 1; change batch_size or train_subset
            batch_norm: true
                        ^
            """)
    }
}

/// Structured values travel as their types (`ParameterValue.typed`), none included.
@Suite struct TypedValues {
    @Test func aTypedValueSetsItsTypeNoneIncluded() throws {
        var config = try plan("normalize: mnist\nearly_stopping: {metric: val_loss, patience: 2, min_delta: 0}\nvalidation: 100\n"
            + "lr_schedule: {step: {step_size: 2, gamma: 0.5}}\noptimizer: adam\nbetas: [0.8, 0.9]\n").runs[0].config
        #expect(config.normalize != nil && config.earlyStopping != nil && config.lrSchedule != .constant)
        for key in ["normalize", "early_stopping", "lr_schedule", "betas"] {
            let parameter = try #require(Parameter.named(key))
            guard case .typed = parameter.read(config) else { Issue.record("\(key) is not typed"); continue }
            parameter.set(try #require(parameter.introducedAt), in: &config)
        }
        #expect(config.normalize == nil && config.earlyStopping == nil && config.lrSchedule == .constant && config.betas == .pytorch)
        // The same text is the same value, whichever way it was made (ids hash the text).
        #expect(Parameter.named("lr_schedule")!.read(RunConfig()) == Parameter.named("lr_schedule")!.introducedAt)
    }
}
