import Datasets
import Experiments
import Foundation
import MLP
import Results
import SpecYAML
import Synchronization
import Testing
import Scheduler
@testable import Training

/// A small synthetic dataset: 10 classes of 28x28 images with a class-dependent bright band.
func syntheticData() -> DatasetSplit {
    func make(_ n: Int, offset: Int) -> LabeledImages {
        var pixels = [UInt8](repeating: 0, count: n * 784), labels = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
            let c = (i + offset) % 10
            labels[i] = UInt8(c)
            for j in 0..<784 where j / 28 >= c * 2 && j / 28 < c * 2 + 4 { pixels[i * 784 + j] = UInt8(128 + (i * 7 + j) % 128) }
        }
        return LabeledImages(pixels: pixels, labels: labels, pixelsPerImage: 784, classes: 10)
    }
    return DatasetSplit(train: make(300, offset: 0), test: make(100, offset: 3))
}

func smallRun(epochs: Int, lr: String = "0.05", activation: String = "relu") throws -> Run {
    let text = "activation: \(activation)\ndropout: 0.3\nhidden: [32]\nbatch_size: 16\nepochs: \(epochs)\nlr: \(lr)\n"
    return try Plan(try ExperimentSpec.parse(Source(name: "t.yaml", text: text), defaultName: "t")).runs[0]
}

/// Cancels the sweep when the run reports the given epoch finished.
func cancelling(after epoch: Int, _ cancellation: Cancellation) -> @Sendable (SchedulerEvent) -> Void {
    { event in
        if case .epochFinished(_, let m) = event, m.epoch == epoch { cancellation.cancel() }
    }
}

@Suite struct RealTraining {
    let data = ["mnist": syntheticData()]

    func metrics(_ store: RunStore, _ run: Run) throws -> [EpochMetrics] {
        try #require(EpochMetrics.parse(csv: try String(contentsOfFile: store.path(of: run) + "/metrics.csv", encoding: .utf8)))
    }

    /// Also under learning-rate schedules: the schedule is a function of the epoch, so the
    /// resumed run continues it where it stopped; and under the dropout paper's recipe (input
    /// dropout from its own stream, max-norm, momentum and rates by epoch and by step, whose
    /// step count the checkpoint keeps).
    @Test(arguments: ["", "lr_schedule: {step: {step_size: 1, gamma: 0.5}}\n", "lr_schedule: {cosine: {eta_min: 0.001}}\n",
                      "lr_schedule: {exponential: {gamma: 0.7}}\nmomentum_schedule: {linear: {end: 0.9, epochs: 3}}\n"
                        + "input_dropout: 0.2\nmax_norm: 1.5\n",
                      "lr_schedule: {inverse_t: {half_life: 20}}\nmomentum_schedule: {exponential: {end: 0.95, steps: 30}}\n"
                        + "max_norm: [1.0, 2.0]\n",
                      "lr_schedule: {linear: {final_factor: 0.1, epochs: 3, begin: 2}}\ninput_dropout: 0.5\n"])
    func interruptedRunResumesToTheSameNumbers(schedule: String) throws {
        let text = "activation: relu\ndropout: 0.3\nhidden: [32]\nbatch_size: 16\nepochs: 4\nlr: 0.05\n" + schedule
        let run = try Plan(try ExperimentSpec.parse(Source(name: "t.yaml", text: text), defaultName: "t")).runs[0]
        let clean = try temporaryStore()
        let executor = TrainingExecutor(store: clean, datasets: data)
        #expect(try executor.execute(run, context: RunContext(cancellation: Cancellation(), report: { _ in })) == .done)
        let reference = try metrics(clean, run)
        #expect(reference.count == 4)
        #expect(!FileManager.default.fileExists(atPath: clean.path(of: run) + "/checkpoint.bin"))

        let store = try temporaryStore()
        let cancellation = Cancellation()
        let stopped = try TrainingExecutor(store: store, datasets: data)
            .execute(run, context: RunContext(cancellation: cancellation, report: cancelling(after: 2, cancellation)))
        #expect(stopped == .interrupted)
        #expect(store.status(of: run)?.state == .interrupted)
        #expect(try metrics(store, run).count == 2)

        let log = EventLog()
        let resumed = try TrainingExecutor(store: store, datasets: data)
            .execute(run, context: RunContext(cancellation: Cancellation(), report: log.record))
        #expect(resumed == .done)
        #expect(log.lines.withLock { $0 }.first == "start 0 +2")
        let after = try metrics(store, run)
        let strip = { (m: [EpochMetrics]) in m.map { [$0.trainLoss, $0.testLoss, $0.testAccuracy] } }
        #expect(strip(after) == strip(reference))
        #expect(store.status(of: run)?.state == .done)
    }

    /// A schedule changes the numbers (the rate really is applied), and differently per schedule.
    @Test func schedulesChangeTraining() throws {
        var finals: [Double] = [], firsts: [Double] = []
        for schedule in ["", "lr_schedule: {step: {step_size: 1, gamma: 0.1}}\n", "lr_schedule: cosine\n"] {
            let text = "activation: relu\ndropout: 0.3\nhidden: [32]\nbatch_size: 16\nepochs: 3\nlr: 0.05\n" + schedule
            let run = try Plan(try ExperimentSpec.parse(Source(name: "t.yaml", text: text), defaultName: "t")).runs[0]
            let store = try temporaryStore()
            _ = try TrainingExecutor(store: store, datasets: data).execute(run, context: RunContext(cancellation: Cancellation(), report: { _ in }))
            let rows = try metrics(store, run)
            finals.append(rows[2].trainLoss)
            firsts.append(rows[0].trainLoss)
        }
        // Epoch 1 runs at the base rate under every schedule: identical figures; later ones differ.
        #expect(Set(firsts).count == 1, "\(firsts)")
        #expect(Set(finals).count == 3, "\(finals)")
    }

    @Test func aCorruptCheckpointMeansStartingOver() throws {
        let run = try smallRun(epochs: 3)
        let store = try temporaryStore()
        let cancellation = Cancellation()
        _ = try TrainingExecutor(store: store, datasets: data)
            .execute(run, context: RunContext(cancellation: cancellation, report: cancelling(after: 1, cancellation)))
        let path = store.path(of: run) + "/checkpoint.bin"
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[100] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        let log = EventLog()
        #expect(try TrainingExecutor(store: store, datasets: data)
            .execute(run, context: RunContext(cancellation: Cancellation(), report: log.record)) == .done)
        #expect(log.lines.withLock { $0 }.first == "start 0 +0")
        #expect(try metrics(store, run).count == 3)
    }

    /// Early stopping ends the run as stopped, its rows kept; a run interrupted before the rule
    /// fires and resumed makes the same decision at the same epoch, with the same figures.
    /// (min_delta 100 on the loss: no epoch after the first can improve, so with patience 2
    /// the rule fires after epoch 3 whatever the training does.)
    @Test func earlyStoppingEndsTheRunAndResumesToTheSameDecision() throws {
        let text = "activation: relu\ndropout: 0.3\nhidden: [32]\nbatch_size: 16\nepochs: 6\nlr: 0.05\nvalidation: 100\n"
            + "early_stopping: {metric: val_loss, patience: 2, min_delta: 100}\n"
        let run = try Plan(try ExperimentSpec.parse(Source(name: "t.yaml", text: text), defaultName: "t")).runs[0]
        let clean = try temporaryStore()
        let outcome = try TrainingExecutor(store: clean, datasets: data)
            .execute(run, context: RunContext(cancellation: Cancellation(), report: { _ in }))
        #expect(outcome == .stopped(epoch: 3, best: 1))
        let status = try #require(clean.status(of: run))
        #expect(status.state == .stopped && status.epochsDone == 3)
        #expect(status.reason == "val_loss did not improve by more than 100.0 for 2 epoch(s) after epoch 1, its best; "
            + "stopped after epoch 3 of 6")
        #expect(clean.record(of: run) == .stopped(epoch: 3) && clean.isFinished(run))
        #expect(!FileManager.default.fileExists(atPath: clean.path(of: run) + "/checkpoint.bin"))
        let reference = try metrics(clean, run)

        let store = try temporaryStore()
        let cancellation = Cancellation()
        #expect(try TrainingExecutor(store: store, datasets: data)
            .execute(run, context: RunContext(cancellation: cancellation, report: cancelling(after: 2, cancellation))) == .interrupted)
        #expect(try TrainingExecutor(store: store, datasets: data)
            .execute(run, context: RunContext(cancellation: Cancellation(), report: { _ in })) == .stopped(epoch: 3, best: 1))
        let strip = { (m: [EpochMetrics]) in m.map { [$0.trainLoss, $0.testLoss, $0.valLoss ?? -1] } }
        #expect(strip(try metrics(store, run)) == strip(reference))

        // Without min_delta the same run trains on while the loss falls: the rule is not vacuous.
        let plain = try Plan(try ExperimentSpec.parse(Source(name: "t.yaml", text: text.replacingOccurrences(of: ", min_delta: 100", with: "")),
                                                      defaultName: "t")).runs[0]
        let more = try TrainingExecutor(store: try temporaryStore(), datasets: data)
            .execute(plain, context: RunContext(cancellation: Cancellation(), report: { _ in }))
        #expect(more != .stopped(epoch: 3, best: 1))
    }

    @Test func divergenceEndsTheRunWithItsEpoch() throws {
        let run = try smallRun(epochs: 5, lr: "1e10")
        let store = try temporaryStore()
        let outcome = try TrainingExecutor(store: store, datasets: data)
            .execute(run, context: RunContext(cancellation: Cancellation(), report: { _ in }))
        guard case .diverged(let epoch) = outcome else {
            Issue.record("expected divergence, got \(outcome)")
            return
        }
        let status = try #require(store.status(of: run))
        #expect(status.state == .diverged)
        #expect(status.reason?.hasSuffix("in epoch \(epoch)") == true)
        #expect(status.epochsDone == epoch - 1)
    }

    /// Every epoch records training figures in evaluation mode; validation figures only with a
    /// validation split, on the same examples whatever the seed.
    @Test func evaluationOnTrainingAndValidationData() throws {
        let store = try temporaryStore()
        let plain = try smallRun(epochs: 1, lr: "0.05")
        _ = try TrainingExecutor(store: store, datasets: data).execute(plain, context: RunContext(cancellation: Cancellation(), report: { _ in }))
        let rows = try #require(EpochMetrics.parse(csv: try String(contentsOfFile: store.path(of: plain) + "/metrics.csv", encoding: .utf8)))
        #expect(rows[0].trainEvalAccuracy != nil && rows[0].trainEvalLoss != nil)
        #expect(rows[0].valAccuracy == nil && rows[0].valLoss == nil)
        #expect(try String(contentsOfFile: store.path(of: plain) + "/metrics.csv", encoding: .utf8).contains(",,"))
        let text = "activation: relu\ndropout: 0.3\nhidden: [32]\nbatch_size: 16\nepochs: 1\nlr: 0.05\nvalidation: 100\n"
        let held = try Plan(try ExperimentSpec.parse(Source(name: "t.yaml", text: text), defaultName: "t")).runs[0]
        _ = try TrainingExecutor(store: store, datasets: data).execute(held, context: RunContext(cancellation: Cancellation(), report: { _ in }))
        let heldRows = try #require(EpochMetrics.parse(csv: try String(contentsOfFile: store.path(of: held) + "/metrics.csv", encoding: .utf8)))
        #expect(heldRows[0].valAccuracy != nil && heldRows[0].valLoss != nil)
    }

    /// lr 1000 keeps the loss finite but near 1e9: far past the divergence limit.
    @Test func aFiniteButBlownUpLossIsDivergenceToo() throws {
        let run = try smallRun(epochs: 3, lr: "1000")
        let store = try temporaryStore()
        let outcome = try TrainingExecutor(store: store, datasets: data)
            .execute(run, context: RunContext(cancellation: Cancellation(), report: { _ in }))
        #expect(outcome == .diverged(epoch: 1))
        let reason = try #require(store.status(of: run)?.reason)
        #expect(reason.contains("over 100x the chance level ln(10) = 2.3") || reason.contains("became nan"), "\(reason)")
    }

    @Test func theDivergenceRule() {
        #expect(Divergence.limit(classes: 10) > 230 && Divergence.limit(classes: 10) < 231)
        #expect(Divergence.reason(trainLoss: 2.5, testLoss: 2.4, classes: 10, epoch: 1) == nil)
        #expect(Divergence.reason(trainLoss: 40, testLoss: 35, classes: 10, epoch: 1) == nil)
        #expect(Divergence.reason(trainLoss: 1e9, testLoss: 2, classes: 10, epoch: 4)
                == "training loss reached 1e+09 in epoch 4, over 100x the chance level ln(10) = 2.3")
        #expect(Divergence.reason(trainLoss: 1, testLoss: .infinity, classes: 10, epoch: 2) == "test loss became inf in epoch 2")
        #expect(Divergence.reason(trainLoss: .nan, testLoss: 1, classes: 10, epoch: 2) == "training loss became nan in epoch 2")
    }

    @Test func checkpointRoundTripsAndRejectsDamage() throws {
        let state = Trainer.State(parameters: [1, -2.5, .pi], velocity: [0, 0.5, -1], shuffleStream: [1, 2, 3, 4],
                                  dropoutStream: [5, 6, 7, 8])
        let rows = [EpochMetrics(epoch: 1, trainLoss: 0.5, testLoss: 0.25, testAccuracy: 91.5, epochSeconds: 1.25)]
        let checkpoint = Checkpoint(rows: rows, state: state)
        #expect(Checkpoint(bytes: checkpoint.bytes) == checkpoint)
        #expect(Checkpoint(bytes: Array(checkpoint.bytes.dropLast())) == nil)
        var damaged = checkpoint.bytes
        damaged[20] ^= 1
        #expect(Checkpoint(bytes: damaged) == nil)
        #expect(Checkpoint(bytes: []) == nil)
    }

    /// Version 2 carries Adam's second moment, the step count and batch norm's running
    /// statistics, version 3 the input dropout stream; version-1 and version-2 files (written
    /// before them) still read, with none of them.
    @Test func checkpointCarriesOptimizerAndLayerState() throws {
        let state = Trainer.State(parameters: [1, -2.5, .pi], velocity: [0, 0.5, -1], shuffleStream: [1, 2, 3, 4],
                                  dropoutStream: [5, 6, 7, 8], secondMoment: [0.25, 1e-9, 3], steps: 1875,
                                  runningStatistics: [0.1, 0.2, 1.5, 0.9], inputDropoutStream: [9, 10, 11, 12])
        let rows = [EpochMetrics(epoch: 1, trainLoss: 0.5, testLoss: 0.25, testAccuracy: 91.5, epochSeconds: 1.25)]
        let checkpoint = Checkpoint(rows: rows, state: state)
        #expect(Array(checkpoint.bytes.prefix(8)) == Array("RUNRCKP3".utf8))
        #expect(Checkpoint(bytes: checkpoint.bytes) == checkpoint)
        // A second moment that does not match the parameters is damage.
        var odd = state
        odd.secondMoment = [1]
        #expect(Checkpoint(bytes: Checkpoint(rows: rows, state: odd).bytes) == nil)

        // Version 1: the same bytes without the middle part, under the old magic.
        let plain = Trainer.State(parameters: [1, -2.5, .pi], velocity: [0, 0.5, -1], shuffleStream: [1, 2, 3, 4],
                                  dropoutStream: [5, 6, 7, 8])
        var v3 = Checkpoint(rows: rows, state: plain).bytes
        v3.removeLast(8)                                   // the CRC
        let middle = 8 + 8 + 8 + 4 * 6 + 8 * 8            // magic, epochs, n, floats, streams
        func sealed(_ magic: String, _ body: [UInt8]) -> [UInt8] {
            var bytes = Array(magic.utf8) + body.dropFirst(8)
            withUnsafeBytes(of: UInt64(Checkpoint.crc(bytes)).littleEndian) { bytes += $0 }
            return bytes
        }
        var v2 = v3
        v2.removeSubrange((middle + 24)..<(middle + 32))  // the input dropout stream's zero length
        var v1 = v2
        v1.removeSubrange(middle..<(middle + 24))          // steps and two zero lengths
        for (magic, body) in [("RUNRCKP1", v1), ("RUNRCKP2", v2)] {
            let old = try #require(Checkpoint(bytes: sealed(magic, body)), "\(magic)")
            #expect(old.state == plain && old.rows == rows)
        }
    }
}
