import Datasets
import Experiments
import Foundation
import Scheduler
import Testing
@testable import Training

/// The executor refuses a config built in code the way a plan refuses the spec (the same
/// rules, `RunConfig.problems`), with the counts of the data it holds, before writing anything.
@Suite struct ExecutorRules {
    func refusal(_ change: (inout Run) -> Void) throws -> String? {
        var run = try smallRun(epochs: 1)
        change(&run)
        let store = try temporaryStore()
        let executor = TrainingExecutor(store: store, datasets: ["mnist": syntheticData()])
        do {
            _ = try executor.execute(run, context: RunContext(cancellation: Cancellation(), report: { _ in }))
            return nil
        } catch {
            #expect(!FileManager.default.fileExists(atPath: store.path(of: run)), "a refused run wrote its folder")
            return "\(error)"
        }
    }

    @Test func theSameRulesAsAPlanWithTheDataItHolds() throws {
        #expect(try refusal { _ in } == nil)
        #expect(try refusal { $0.config.dropout = 1.5 }
            == "dropout must be a number in [0, 1) as a 32-bit float, the engine's precision; got 1.5")
        #expect(try refusal { $0.config.lr = 1e-50 }
            == "lr must be a number > 0 as a 32-bit float, the engine's precision; got 1e-50")
        // 300 training examples here: batches of 13 leave one alone (300 = 23 x 13 + 1).
        #expect(try refusal { $0.config.batchNorm = true; $0.config.batchSize = 13 }
            == "batch_norm needs at least 2 examples in every training batch; 300 training examples in batches of 13 "
            + "(the last batch has one); change batch_size or train_subset")
        #expect(try refusal { $0.config.trainSubset = 301 }
            == "train_subset 301 is larger than mnist's training split of 300 examples; use at most 300, or all")
        #expect(try refusal { $0.config.validation = 300 }
            == "validation 300 would leave no training examples of mnist's 300; hold out fewer")
    }
}
