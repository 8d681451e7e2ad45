import Datasets
import Experiments
import Foundation
import MLP
import Results
import Scheduler

/// Trains runs for real: one `Trainer` per run, on datasets loaded once and shared read-only.
/// After every epoch it checkpoints, then appends the epoch's figures, so an interrupted or
/// killed run resumes from its last finished epoch with the same numbers it would have had.
public struct TrainingExecutor: RunExecutor {
    private let store: RunStore
    private let datasets: [String: DatasetSplit]
    private let stamp: Provenance.Stamp?
    private let kernels: Trainer.KernelPath
    /// The spec's `select:`: a run keeps its selected epoch's network (else its last).
    private let selection: Selection?
    /// Threads each run's products are split over (the same bits for any number).
    private let threads: Int

    /// - Parameters:
    ///   - datasets: by name (`mnist`, ...), every dataset the runs need.
    ///   - stamp: this process, for each run's provenance.json.
    ///   - kernels: the engine's kernel path (default: the fastest this CPU runs).
    public init(store: RunStore, datasets: [String: DatasetSplit], stamp: Provenance.Stamp? = nil,
                kernels: Trainer.KernelPath = .fastest, selection: Selection? = nil, threads: Int = 1) {
        self.selection = selection
        self.threads = threads
        self.store = store
        self.datasets = datasets
        self.stamp = stamp
        self.kernels = kernels
    }

    /// The engine's settings for a run.
    /// - Throws: `ExecutorError` when a value is out of its range as the engine uses it
    ///   (`RunConfig.valueProblems`; plans check the same at the spec's line, this guards
    ///   configs built any other way).
    public static func hyperparameters(_ config: RunConfig) throws -> Trainer.Hyperparameters {
        if let problem = config.valueProblems().first { throw ExecutorError(message: problem.message) }
        let activation = config.activation  // one type for the spec and the engine (Vocabulary)
        let dropout = Float(config.dropout), lr = Float(config.lr), momentum = Float(config.momentum)
        var hyper = Trainer.Hyperparameters(
            activation: activation, dropout: dropout, lr: lr, momentum: momentum,
            batchSize: config.batchSize, evalBatchSize: RunConfig.evaluationBatch, seed: UInt64(config.seed))
        hyper.weightDecay = Float(config.weightDecay)
        hyper.nesterov = config.nesterov
        hyper.optimizer = switch config.optimizer {
        case .sgd: .sgd
        case .adam, .adamw:
            .adam(.init(beta1: config.betas.beta1, beta2: config.betas.beta2, eps: config.eps,
                        decoupled: config.optimizer == .adamw))
        }
        hyper.weightInit = config.weightInit  // one type for the spec and the engine (Vocabulary)
        hyper.task = config.task
        hyper.inputDropout = Float(config.inputDropout)
        hyper.maxNorm = config.maxNorm.map { $0.limits(layers: config.hidden.count + 1).map(Float.init) } ?? []
        hyper.inverseTimeHalfLife = config.lrSchedule.inverseTimeHalfLife
        if case .exponential(let end, let steps) = config.momentumSchedule { hyper.momentumApproach = (end, steps) }
        if let n = config.normalize {
            hyper.inputMean = Float(n.mean)
            hyper.inputStd = Float(n.std)
        }
        return hyper
    }

    public func execute(_ run: Run, context: RunContext) throws -> RunOutcome {
        let config = run.config
        // Already at (or past) the rung a pruned sweep asks for, from an earlier invocation:
        // nothing to train, no file touched (and no data needed, not even the checkpoint).
        if let limit = context.epochLimit, !context.force, let state = store.status(of: run)?.state,
           state == .pruned || state == .interrupted, let rows = store.intactRows(of: run), rows.count >= limit {
            return .paused(epoch: rows.count)
        }
        guard let data = datasets[config.dataKey] else {
            throw ExecutorError(message: "dataset \(config.dataset) was not loaded")
        }
        // The rules with the counts this data folder holds (a plan checked the published ones).
        if let problem = config.problems(trainCount: data.train.count, testCount: data.test.count).first {
            throw ExecutorError(message: problem.message)
        }
        // Validation first (the same examples for every run), then the training subset.
        let (trainPart, validation) = ValidationSplit.split(data.train, validation: config.validation)
        let train = trainPart.prefix(config.trainSubset)
        let test = data.test.prefix(config.testSubset)
        let trainSample = ValidationSplit.evaluationSample(train)
        // A dataset of files: features scaled as its spec says, fitted on this run's training examples.
        var scaling: Scaling?
        if case .files(let files) = config.dataset, train.isFloat { scaling = Scaling(files.scale, fittedOn: train) }
        let shape = NetworkShape(inputs: train.pixelsPerImage, hidden: config.hidden, classes: train.classes,
                                 batchNorm: config.batchNorm)
        let trainer = Trainer(shape: shape, hyper: try TrainingExecutor.hyperparameters(config), kernels: kernels, threads: threads)
        let checkpointPath = store.file(RunStore.checkpointFile, ofID: run.id)

        // Resume from the checkpoint when it belongs to this exact config.
        var resumed: Checkpoint?
        let previous = store.status(of: run)
        if !context.force, previous != nil,
           let bytes = FileManager.default.contents(atPath: checkpointPath).map(Array.init),
           let checkpoint = Checkpoint(bytes: bytes), checkpoint.rows.count < config.epochs,
           trainer.restore(checkpoint.state) {
            resumed = checkpoint
        }
        if resumed == nil {
            // Never overwrite figures without a word: earlier ones are kept aside.
            if let kept = try store.setAsideEarlierFigures(of: run) { context.report(.setAside(run, folder: kept)) }
            try? FileManager.default.removeItem(atPath: checkpointPath)
        }
        let recorder = try store.begin(run, resume: resumed?.rows ?? [], previous: previous, stamp: stamp)
        // The trained network: with a selection, written whenever an epoch becomes the selected
        // one (before its row, so a resumed run never lacks it); else when the run ends as a
        // result (done, or stopped early).
        let writeModel = { (epoch: Int) throws in
            let file = ModelFile.tensors(shape: shape, config: config, state: trainer.state, scaling: scaling,
                                         classNames: data.classNames, record: RunRecord(run).json, epoch: epoch,
                                         selection: self.selection)
            try AtomicFile.write(bytes: file.bytes, to: self.store.file(ModelFile.name, ofID: run.id))
        }
        let saveModel = { () throws in
            if self.selection == nil || !FileManager.default.fileExists(atPath: self.store.file(ModelFile.name, ofID: run.id)) {
                try writeModel(recorder.rows.count)
            }
        }
        if scaling != nil || data.classNames != nil {
            try AtomicFile.write((scaling ?? Scaling(.none, fittedOn: train)).json(classNames: data.classNames),
                                 to: store.file(Scaling.file, ofID: run.id))
        }
        context.report(.started(run, resumedEpochs: recorder.rows.count))
        // A run killed between its last figures and its status: the rule decides again, alike.
        if let outcome = try stopEarly(config, recorder, checkpoint: checkpointPath, saveModel: saveModel) { return outcome }

        for epoch in (recorder.rows.count + 1)...config.epochs {  // rows.count < epochs: see above
            if let limit = context.epochLimit, recorder.rows.count >= limit {
                try recorder.write(.interrupted, reason: "paused after epoch \(recorder.rows.count), a pruning rung, "
                    + "for the rung's decision")
                return .paused(epoch: recorder.rows.count)
            }
            let start = DispatchTime.now().uptimeNanoseconds
            // The schedule is a function of the epoch, so a resumed run continues it exactly.
            trainer.setLearningRate(Float(config.lrSchedule.lr(epoch: epoch, base: config.lr, epochs: config.epochs)))
            trainer.setMomentum(Float(config.momentumSchedule.momentum(epoch: epoch, base: config.momentum)))
            let fit = trainer.trainEpoch(train, scaling) { done in
                TestPoint.reached("batch")
                context.report(.progress(run, epoch: epoch, examples: done, total: train.count))
                return !context.cancellation.isCancelled
            }
            guard fit.completed else {
                try recorder.write(.interrupted, reason: "stopped during epoch \(epoch); "
                    + "\(recorder.rows.count) finished epoch(s) kept")
                return .interrupted
            }
            let eval = trainer.figures(test, scaling)
            let onTrain = trainer.figures(trainSample, scaling)
            let onValidation = validation.map { trainer.figures($0, scaling) }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let limit = train.isRegression ? Divergence.Limit(meanSquaredTarget: train.targets) : .init(classes: train.classes)
            if let why = Divergence.reason(trainLoss: fit.meanLoss, testLoss: eval.loss, limit: limit, epoch: epoch) {
                try recorder.write(.diverged, reason: why)
                try? FileManager.default.removeItem(atPath: checkpointPath)
                return .diverged(epoch: epoch)
            }
            let metrics = if let errors = eval.errors {
                EpochMetrics(epoch: epoch, trainLoss: fit.meanLoss, testLoss: eval.loss, test: errors, epochSeconds: seconds,
                             trainEvalLoss: onTrain.loss, trainEval: onTrain.errors,
                             valLoss: onValidation?.loss, val: onValidation?.errors)
            } else {
                EpochMetrics(epoch: epoch, trainLoss: fit.meanLoss, testLoss: eval.loss,
                             testAccuracy: eval.accuracy, epochSeconds: seconds,
                             trainEvalLoss: onTrain.loss, trainEvalAccuracy: onTrain.accuracy,
                             valLoss: onValidation?.loss, valAccuracy: onValidation?.accuracy)
            }
            if epoch < config.epochs {
                try AtomicFile.write(bytes: Checkpoint(rows: recorder.rows + [metrics], state: trainer.state).bytes,
                                     to: checkpointPath)
            }
            if let selection, selection.selectedEpoch(recorder.rows + [metrics]) == epoch { try writeModel(epoch) }
            try recorder.append(metrics)
            context.report(.epochFinished(run, metrics))
            if epoch < config.epochs, let outcome = try stopEarly(config, recorder, checkpoint: checkpointPath, saveModel: saveModel) {
                return outcome
            }
            if context.cancellation.isCancelled && epoch < config.epochs {
                try recorder.write(.interrupted, reason: "stopped after epoch \(epoch); finished epochs kept")
                return .interrupted
            }
        }
        try saveModel()
        try recorder.write(.done)
        try? FileManager.default.removeItem(atPath: checkpointPath)
        return .done
    }
}

extension Trainer {
    /// An epoch on examples of any kind: bytes (scaled to [0, 1] by the engine) or float
    /// features (scaled by the run's `Scaling`), with labels or regression targets.
    func trainEpoch(_ examples: LabeledImages, _ scaling: Scaling?, progress: ((Int) -> Bool)? = nil) -> EpochResult {
        let (shift, divisor) = (scaling?.shift ?? [], scaling?.divisor ?? [])
        if examples.isRegression {
            return trainEpoch(features: examples.features, targets: examples.targets, shift: shift, divisor: divisor,
                              progress: progress)
        }
        guard examples.isFloat else { return trainEpoch(pixels: examples.pixels, labels: examples.labels, progress: progress) }
        return trainEpoch(features: examples.features, labels: examples.labels, shift: shift, divisor: divisor, progress: progress)
    }

    /// One evaluation's figures: the loss, and the accuracy (classification) or the errors (regression).
    struct Figures {
        var loss: Double
        var accuracy: Double?
        var errors: EpochMetrics.Errors?
    }

    func figures(_ examples: LabeledImages, _ scaling: Scaling?) -> Figures {
        let (shift, divisor) = (scaling?.shift ?? [], scaling?.divisor ?? [])
        if examples.isRegression {
            let e = evaluate(features: examples.features, targets: examples.targets, shift: shift, divisor: divisor)
            return Figures(loss: e.meanLoss, errors: .init(rmse: e.rmse, mae: e.mae, r2: e.r2))
        }
        let e = examples.isFloat
            ? evaluate(features: examples.features, labels: examples.labels, shift: shift, divisor: divisor)
            : evaluate(pixels: examples.pixels, labels: examples.labels)
        return Figures(loss: e.meanLoss, accuracy: e.accuracy)
    }
}

extension TrainingExecutor {
    /// When the run's early-stopping rule says stop after the rows recorded so far (and they
    /// are fewer than its epochs): records it as stopped and returns the outcome; else nil.
    func stopEarly(_ config: RunConfig, _ recorder: RunRecorder, checkpoint: String,
                   saveModel: () throws -> Void) throws -> RunOutcome? {
        guard let rule = config.earlyStopping, recorder.rows.count < config.epochs else { return nil }
        let values = recorder.rows.compactMap { $0.figure(rule.metric.rawValue) }
        guard values.count == recorder.rows.count else { return nil }
        let decision = rule.decision(values)
        guard decision.stop else { return nil }
        try saveModel()
        try recorder.write(.stopped, reason: "\(rule.metric.rawValue) did not improve by more than \(rule.minDelta) for "
            + "\(rule.patience) epoch(s) after epoch \(decision.best), its best; stopped after epoch \(values.count) "
            + "of \(config.epochs)")
        try? FileManager.default.removeItem(atPath: checkpoint)
        return .stopped(epoch: values.count, best: decision.best)
    }
}

/// A run that cannot start for a reason of the runner's own.
public struct ExecutorError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
