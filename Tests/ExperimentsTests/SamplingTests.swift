import Foundation
import SpecYAML
import Testing
@testable import Experiments

/// Sampled sweep parameters (`sweep: {lr: {log_uniform: [...]}}` with `samples: N`).
@Suite struct Sampling {
    static let search = """
        activation: relu
        samples: 20
        sweep:
          dropout: [0.0, 0.5]
          lr: {log_uniform: [1e-4, 1e-1]}
          momentum: {uniform: [0, 0.99]}
          batch_size: {int_uniform: [16, 128], log: true}
          hidden: {choice: [[512, 256], [1024], [256, 256, 256]]}

        """

    @Test func theSameSpecDrawsTheSameValues() throws {
        let a = try plan(Self.search), b = try plan(Self.search)
        #expect(a.runs.count == 40 && a.runs.map(\.id) == b.runs.map(\.id))
        // Each grid point runs the same draws.
        #expect(a.runs[0..<20].map(\.config.lr) == a.runs[20..<40].map(\.config.lr))
        #expect(Set(a.runs.map(\.config.lr)).count == 20)
        // Another sample_seed, other draws.
        let other = try plan(Self.search.replacingOccurrences(of: "samples: 20", with: "samples: 20\nsample_seed: 7"))
        #expect(Set(other.runs.map(\.config.lr)).isDisjoint(with: a.runs.map(\.config.lr)))
    }

    @Test func raisingSamplesKeepsTheFirstDraws() throws {
        let twenty = try plan(Self.search)
        let thirty = try plan(Self.search.replacingOccurrences(of: "samples: 20", with: "samples: 30"))
        #expect(thirty.runs.count == 60)
        let ids = Set(thirty.runs.map(\.id))
        #expect(twenty.runs.allSatisfy { ids.contains($0.id) })
        #expect(Array(thirty.runs[0..<20].map(\.id)) == Array(twenty.runs[0..<20].map(\.id)))
    }

    @Test func drawnValuesAreShownAndKeepFourDigits() throws {
        let p = try plan(Self.search)
        let lr = p.runs[0].config.lr
        #expect(Double(String(format: "%.3e", lr)) == lr)
        #expect(p.runs[0].name.contains("lr=\(lr)") && p.varying.map(\.key).contains("momentum"))
    }

    /// Discrete spaces are sampled without replacement, and say so when there are not enough.
    @Test func finiteSpacesWithoutReplacement() throws {
        let three = try plan("samples: 6\nsweep:\n  activation: {choice: [sigmoid, relu, tanh]}\n  batch_size: {int_uniform: [31, 32]}\n")
        #expect(Set(three.runs.map { "\($0.config.activation)/\($0.config.batchSize)" }).count == 6)
        let error = specError("samples: 7\nsweep:\n  activation: {choice: [sigmoid, relu, tanh]}\n  batch_size: {int_uniform: [31, 32]}\n")
        #expect(error?.contains("1:10: error: samples: 7 asks for more draws than the 6 points of the sampled space") == true, "\(error ?? "")")
    }

    /// The distributions' ranges and spacing, over 3,000 draws with a fixed seed.
    @Test func rangesAndLogSpacing() throws {
        let p = try plan("samples: 3000\nsweep:\n  lr: {log_uniform: [1e-4, 1e-1]}\n  momentum: {uniform: [0, 0.99]}\n"
            + "  batch_size: {int_uniform: [16, 128], log: true}\n  epochs: {int_uniform: [1, 4]}\n", maxRuns: 10_000)
        let lr = p.runs.map(\.config.lr), momentum = p.runs.map(\.config.momentum)
        let batch = p.runs.map(\.config.batchSize), epochs = p.runs.map(\.config.epochs)
        #expect(lr.allSatisfy { $0 >= 1e-4 && $0 <= 1e-1 } && momentum.allSatisfy { $0 >= 0 && $0 <= 0.99 })
        // Log-uniform: a third of the draws in each decade (binomial sd 0.009; 5 sd allowed).
        for decade in [(1e-4, 1e-3), (1e-3, 1e-2), (1e-2, 1e-1)] {
            let share = Double(lr.filter { $0 >= decade.0 && $0 < decade.1 }.count) / 3000
            #expect(abs(share - 1.0 / 3) < 0.045, "\(decade): \(share)")
        }
        let mean = momentum.reduce(0, +) / 3000
        #expect(abs(mean - 0.495) < 0.03)   // sd of the mean 0.005
        // Integers: both bounds reached, on a log scale half below the geometric middle √(16·129).
        #expect(batch.min() == 16 && batch.max() == 128 && Set(epochs) == [1, 2, 3, 4])
        let below = Double(batch.filter { Double($0) < (16.0 * 129).squareRoot() }.count) / 3000
        #expect(abs(below - 0.5) < 0.05, "\(below)")
        for e in 1...4 { #expect(abs(Double(epochs.filter { $0 == e }.count) / 3000 - 0.25) < 0.04) }
    }

    @Test func mistakesAreSpecErrors() {
        func error(_ sweep: String, samples: String = "samples: 5\n") -> String {
            specError(samples + "sweep:\n" + sweep) ?? "no error"
        }
        #expect(error("  lr: {log_uniform: [0, 0.1]}\n").contains("3:22: error: lr must be a number > 0, got 0"))
        #expect(error("  lr: {uniform: [0.1, 0.01]}\n").contains("3:17: error: uniform needs low < high"))
        #expect(error("  momentum: {uniform: [-0.5, 0.5], log: true}\n").contains("momentum must be a number in [0, 1)"))
        #expect(error("  lr: {log_uniform: [1e-4, 1e-1], scale: 2}\n").contains("3:35: error: unknown key 'scale' in lr's distribution"))
        #expect(error("  batch_size: {uniform: [16, 64]}\n").contains("is for real-valued parameters; batch_size is not one"))
        #expect(error("  lr: {int_uniform: [1, 3]}\n").contains("int_uniform is for integer parameters; lr is not one"))
        #expect(error("  activation: {choice: [relu, relu]}\n").contains("choice lists relu twice"))
        #expect(error("  activation: {choice: [relu, swish]}\n").contains("activation must be one of"))
        #expect(error("  lr: {log_uniform: [1e-4, 1e-1]}\n", samples: "").contains("2:7: error: a sampled parameter needs 'samples: N'"))
        #expect(error("  dropout: [0.0, 0.5]\n").contains("1:10: error: samples: 5 needs a sampled parameter under sweep"))
    }
}

/// The early-stopping rule and its spelling.
@Suite struct EarlyStoppingRule {
    @Test func theDecision() {
        let loss = EarlyStopping(metric: .valLoss, patience: 2)
        #expect(loss.decision([]) == (0, false))
        #expect(loss.decision([1.0, 0.9, 0.95]) == (2, false))
        #expect(loss.decision([1.0, 0.9, 0.95, 0.91]) == (2, true))
        #expect(loss.decision([1.0, 0.9, 0.9, 0.9]) == (2, true))          // a tie is no improvement
        let delta = EarlyStopping(metric: .valLoss, patience: 1, minDelta: 0.05)
        #expect(delta.decision([1.0, 0.97]) == (1, true))                 // better, but not by more than 0.05
        #expect(delta.decision([1.0, 0.94]) == (2, false))
        let accuracy = EarlyStopping(metric: .valAccuracy, patience: 3)
        #expect(accuracy.decision([90, 91, 92, 91.5, 91.9, 92]) == (3, true))
        #expect(accuracy.decision([90, 91, 92, 91.5, 92.1]) == (5, false))
    }

    @Test func spellingAndIds() throws {
        let plain = try plan("epochs: 20\n"), none = try plan("early_stopping: none\n")
        #expect(plain.runs[0].id == none.runs[0].id)
        let set = try plan("validation: 1000\nearly_stopping: {metric: val_accuracy, patience: 3}\n")
        #expect(set.runs[0].config.earlyStopping == EarlyStopping(metric: .valAccuracy, patience: 3))
        #expect(Run.canonicalText(of: set.runs[0].config).hasSuffix("early_stopping=val_accuracy/3/0.0\n"))
        #expect(specError("early_stopping: {metric: val_loss, patience: 3}\n")?
            .contains("1:17: error: early_stopping watches val_loss, which needs a validation split") == true)
        #expect(specError("validation: 10\nearly_stopping: {patience: 3}\n")?.contains("metric is missing") == true)
        #expect(specError("validation: 10\nearly_stopping: {metric: test_loss, patience: 3}\n")?
            .contains("2:26: error: early_stopping metric must be one of val_loss, val_accuracy, val_rmse, val_mae, val_r2; got 'test_loss'") == true)
        #expect(specError("validation: 10\nearly_stopping: {metric: val_loss, patience: 0}\n")?.contains("patience must be an integer in 1") == true)
        #expect(specError("validation: 10\nearly_stopping: {metric: val_loss, patience: 2, delta: 1}\n")?
            .contains("unknown key 'delta' in early_stopping") == true)
    }
}

@Suite struct PruneSection {
    @Test func readAndChecked() throws {
        let p = try plan("validation: 100\nsamples: 4\nsweep:\n  lr: {log_uniform: [0.001, 0.1]}\n"
            + "prune: {method: successive_halving, metric: val_loss, min_epochs: 2, reduction: 2}\n")
        #expect(p.pruning == Pruning(method: .successiveHalving, metric: "val_loss", maximize: false, minEpochs: 2, reduction: 2))
        // Not part of run ids: pruning decides how far runs train, not what they are.
        let unpruned = try plan("validation: 100\nsamples: 4\nsweep:\n  lr: {log_uniform: [0.001, 0.1]}\n")
        #expect(p.runs.map(\.id) == unpruned.runs.map(\.id))
        #expect(specError("prune: {method: asha, metric: val_loss}\n")?
            .contains("1:17: error: prune.method must be one of successive_halving, hyperband, median; got 'asha'") == true)
        #expect(specError("prune: {method: median}\n")?.contains("metric is missing") == true)
        #expect(specError("prune: {method: median, metric: val_accuracy}\n")?
            .contains("1:8: error: prune.metric val_accuracy needs a validation split in every run") == true)
        #expect(specError("prune: {method: median, metric: test_loss, reduction: 1}\n")?.contains("prune.reduction must be an integer in 2") == true)
        #expect(specError("prune: {method: median, metric: test_loss}\nsweep:\n  epochs: [2, 4]\n")?
            .contains("prune needs every run to have the same epochs") == true)
    }
}

/// Integer ranges as wide as Int allows (issue 22): no overflow, draws that use every bit, and
/// a finite space drawn to its last point.
@Suite struct WideIntegerDraws {
    func seeds(_ text: String) throws -> [Int] { try plan(text).runs.map(\.config.seed) }

    @Test func theWidestRangesDrawWithoutTrapping() throws {
        let linear = try seeds("samples: 64\nsweep:\n  seed: {int_uniform: [0, 9223372036854775807]}\n")
        #expect(Set(linear).count == 64)
        // Not all multiples of 1024, as u's 53 bits spread over 63 made them.
        #expect(linear.contains { $0 % 1024 != 0 })
        let log = try seeds("samples: 8\nsweep:\n  seed: {int_uniform: [1, 9223372036854775807], log: true}\n")
        #expect(log.allSatisfy { $0 >= 1 } && Set(log).count == 8)
        #expect(Distribution(kind: .intUniform(low: 0, high: .max, log: false), mark: Mark(line: 1, column: 1)).pointCount == .max)
    }

    @Test func exactlyEnoughPointsAreAllDrawn() throws {
        let all = try seeds("samples: 2000\nsweep:\n  seed: {int_uniform: [1, 2000]}\n")
        #expect(Set(all) == Set(1...2000))
        let grid = try plan("samples: 6\nsweep:\n  seed: {int_uniform: [1, 3]}\n  activation: {choice: [relu, tanh]}\n").runs
        #expect(Set(grid.map { "\($0.config.seed)\($0.config.activation)" }).count == 6)
    }
}
