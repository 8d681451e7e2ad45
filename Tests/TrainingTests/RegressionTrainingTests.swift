import Datasets
import Experiments
import Foundation
import Results
import Scheduler
import SpecYAML
import Testing
@testable import Training

/// A regression run through the executor: it resumes to the same numbers after an
/// interruption (its checkpoint holds regression rows), and blows up into `diverged` by the
/// regression rule.
@Suite struct RegressionTraining {
    /// A spec on a CSV of two features and a target 3a − 2b + 5, and the data loaded as a run
    /// of it is trained on.
    func setUp(_ extra: String) throws -> (Run, [String: DatasetSplit]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func table(_ n: Int, _ offset: Int) -> String {
            "a,b,y\n" + (0..<n).map { i -> String in
                let (a, b) = (sin(Double(i + offset)), cos(Double(i + offset) * 1.3))
                return String(format: "%.6f,%.6f,%.6f", a, b, 3 * a - 2 * b + 5)
            }.joined(separator: "\n") + "\n"
        }
        try table(200, 0).write(toFile: dir + "/train.csv", atomically: true, encoding: .utf8)
        try table(50, 900).write(toFile: dir + "/test.csv", atomically: true, encoding: .utf8)
        let text = "task: regression\ndataset: {train: train.csv, test: test.csv, label: y}\nactivation: tanh\n"
            + "dropout: 0.2\nhidden: [16]\nbatch_size: 10\n" + extra
        let run = try Plan(try ExperimentSpec.parse(Source(name: dir + "/t.yaml", text: text), defaultName: "t")).runs[0]
        guard case .files(let files) = run.config.dataset else { throw ExecutorError(message: "not files") }
        return (run, [run.config.dataKey: try FileDatasetLoader.load(files, task: .regression)])
    }

    func rows(_ store: RunStore, _ run: Run) throws -> [EpochMetrics] {
        try #require(EpochMetrics.parse(csv: try String(contentsOfFile: store.path(of: run) + "/metrics.csv", encoding: .utf8)))
    }

    @Test func anInterruptedRegressionRunResumesToTheSameNumbers() throws {
        let (run, data) = try setUp("optimizer: adam\nlr: 0.01\nepochs: 4\nvalidation: 40\n")
        let clean = try temporaryStore()
        #expect(try TrainingExecutor(store: clean, datasets: data)
            .execute(run, context: RunContext(cancellation: Cancellation(), report: { _ in })) == .done)
        let reference = try rows(clean, run)
        #expect(reference.count == 4 && reference.allSatisfy { $0.isRegression && $0.valErrors != nil && $0.trainEvalErrors != nil })
        // It learns: the test error falls.
        #expect(reference.last!.testErrors!.rmse < reference.first!.testErrors!.rmse)

        let store = try temporaryStore()
        let cancellation = Cancellation()
        #expect(try TrainingExecutor(store: store, datasets: data)
            .execute(run, context: RunContext(cancellation: cancellation, report: cancelling(after: 2, cancellation))) == .interrupted)
        #expect(try rows(store, run).count == 2)
        let log = EventLog()
        #expect(try TrainingExecutor(store: store, datasets: data)
            .execute(run, context: RunContext(cancellation: Cancellation(), report: log.record)) == .done)
        #expect(log.lines.withLock { $0 }.first == "start 0 +2")
        let strip = { (m: [EpochMetrics]) in m.map { [$0.trainLoss, $0.testLoss] + [$0.testErrors, $0.valErrors].map { $0?.r2 } } }
        #expect(strip(try rows(store, run)) == strip(reference))
    }

    @Test func aBlownUpRegressionLossIsDivergence() throws {
        let (run, data) = try setUp("epochs: 3\noptimizer: sgd\nmomentum: 0.9\nlr: 0.2\n")
        let store = try temporaryStore()
        let outcome = try TrainingExecutor(store: store, datasets: data)
            .execute(run, context: RunContext(cancellation: Cancellation(), report: { _ in }))
        #expect(outcome == .diverged(epoch: 1))
        let reason = try #require(store.status(of: run)?.reason)
        // Finite but far past the limit (a NaN would end it too, by the other branch).
        #expect(reason.contains("over 100x the loss of predicting zero, the mean squared target"), "\(reason)")
        // The rule: 100 times the mean squared target (here 25 for targets ±5).
        let limit = Divergence.Limit(meanSquaredTarget: [5, -5])
        #expect(Divergence.reason(trainLoss: 2400, testLoss: 10, limit: limit, epoch: 1) == nil)
        #expect(Divergence.reason(trainLoss: 10, testLoss: 2600, limit: limit, epoch: 3)
                == "test loss reached 2600 in epoch 3, over 100x the loss of predicting zero, the mean squared target 25")
        #expect(Divergence.reason(trainLoss: 1e30, testLoss: 1, limit: Divergence.Limit(meanSquaredTarget: [0, 0]), epoch: 1) == nil)
    }
}
