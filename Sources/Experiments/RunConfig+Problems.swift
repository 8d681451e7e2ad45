/// The rules a whole config must keep, each written once: plans render a problem at the
/// spec's line of the value (`Plan`), the executor as a run's failure (`TrainingExecutor`,
/// for configs built any other way, and with the counts of the data actually loaded).
extension RunConfig {
    /// One broken rule: the parameter to point at, its value, and what to do.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var key: String
        public var value: ParameterValue
        public var message: String
        public var description: String { message }
    }

    /// Each value outside its parameter's range as the engine will use it (the check the
    /// spec's reader makes), in parameter order.
    /// What errors call the dataset: its name, or "the dataset" for files.
    var datasetName: String { dataset.shape?.rawValue ?? "the dataset" }

    public func valueProblems() -> [Problem] {
        Parameter.all.compactMap { p in p.problem(in: self).map { Problem(key: p.key, value: p.read(self), message: $0) } }
    }

    /// Every rule this config breaks, in a fixed order (empty when it can be trained).
    /// - Parameters:
    ///   - trainCount, testCount: the examples of the dataset's splits (default: its
    ///     published shape, `DatasetName`; the executor passes what the data folder holds).
    ///   A file dataset's counts are known only once it is loaded: without them, only the rules
    ///   that need no counts are checked (the CLI checks the rest after loading).
    public func problems(trainCount: Int? = nil, testCount: Int? = nil) -> [Problem] {
        // Each problem points at the parameter's value in this config (where the spec wrote it).
        func add(_ key: String, _ message: String) {
            out.append(Problem(key: key, value: Parameter.named(key)!.read(self), message: message))
        }
        var out = valueProblems()
        if nesterov && optimizer != .sgd {
            add("nesterov", "nesterov is an SGD option; \(optimizer.rawValue) has none (its betas play momentum's part)")
        }
        if optimizer == .sgd {
            // Adam's settings on an SGD run would be silently unused: PyTorch's SGD refuses them too.
            if betas != .pytorch {
                add("betas",
                    "betas are Adam's and AdamW's; this run's optimizer is sgd (set optimizer: adam, or drop betas)")
            }
            if eps != 1e-8 {
                add("eps", "eps is Adam's and AdamW's; this run's optimizer is sgd (set optimizer: adam, or drop eps)")
            }
        }
        var perLayerInit: [Double] = []
        if case .uniform(let list) = weightInit { perLayerInit = list }
        if case .normal(let list) = weightInit { perLayerInit = list }
        if case .normalFanIn(let list) = weightInit { perLayerInit = list }
        if perLayerInit.count > 1 && perLayerInit.count != hidden.count + 1 {
            add("init", "init lists \(perLayerInit.count) values for \(hidden.count + 1) dense layers "
                + "(\(hidden.count) hidden and the output); give one per layer, or one for all")
        }
        if case .perLayer(let limits) = maxNorm, limits.count != hidden.count + 1 {
            add("max_norm", "max_norm lists \(limits.count) limits for \(hidden.count + 1) dense layers "
                + "(\(hidden.count) hidden and the output); give one per layer, or one number for all")
        }
        if momentumSchedule != .constant && optimizer != .sgd {
            add("momentum_schedule", "momentum_schedule moves SGD's momentum; \(optimizer.rawValue) has none (its betas play momentum's part)")
        }
        if nesterov && momentum == 0 {
            add("nesterov", "nesterov needs momentum above 0 (PyTorch refuses it too); set momentum or drop nesterov")
        }
        if task == .regression, case .named(let name) = dataset {
            add("task", "task: regression needs numeric targets, and \(name.rawValue) has classes; train on your "
                + "files (dataset: {train: ..., test: ..., label: COLUMN}) or drop task")
        }
        if task == .classification, case .files(let files) = dataset, files.labelColumns.count > 1 {
            add("dataset", "dataset label lists \(files.labelColumns.count) columns, which only regression takes; "
                + "set task: regression, or give one label column")
        }
        if let stopping = earlyStopping, !stopping.metric.suits(task) {
            add("early_stopping", "early_stopping watches \(stopping.metric.rawValue), which \(task.rawValue) runs do not "
                + "record; use one of " + EarlyStopping.Metric.allCases.filter { $0.suits(task) }.map(\.rawValue).joined(separator: ", "))
        }
        if let stopping = earlyStopping, validation == 0 {
            add("early_stopping", "early_stopping watches \(stopping.metric.rawValue), "
                + "which needs a validation split; set 'validation: N' (e.g. 10000)")
        }
        guard let trainCount = trainCount ?? dataset.shape?.trainCount,
              let testCount = testCount ?? dataset.shape?.testCount else { return out }
        if validation >= trainCount {
            add("validation", "validation \(validation) would leave no training examples of "
                + "\(datasetName)'s \(trainCount); hold out fewer")
            return out
        }
        if validation > 0, let subset = trainSubset, subset > trainCount - validation {
            add("train_subset", "train_subset \(subset) is larger than the \(trainCount - validation) "
                + "training examples left after validation \(validation); use at most that, or all")
        } else if let subset = trainSubset, subset > trainCount {
            add("train_subset", "train_subset \(subset) is larger than \(datasetName)'s training "
                + "split of \(trainCount) examples; use at most \(trainCount), or all")
        }
        if let subset = testSubset, subset > testCount {
            add("test_subset", "test_subset \(subset) is larger than \(datasetName)'s test split "
                + "of \(testCount) examples; use at most \(testCount), or all")
        }
        if batchNorm {
            // PyTorch refuses a training batch of one row ("Expected more than 1 value per
            // channel when training"): its variance is 0 and its normalised value meaningless.
            let examples = min(trainSubset ?? trainCount, trainCount - validation)
            if batchSize == 1 || examples % batchSize == 1 {
                let why = batchSize == 1 ? "batch_size 1"
                    : "\(examples) training examples in batches of \(batchSize) (the last batch has one)"
                add("batch_norm", "batch_norm needs at least 2 examples in every training batch; "
                    + "\(why); change batch_size or train_subset")
            }
        }
        return out
    }
}
