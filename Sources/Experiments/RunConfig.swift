import Vocabulary

/// The resolved parameters of one training run: everything that can change its numbers.
public struct RunConfig: Hashable, Sendable {
    public var activation: Activation = .sigmoid
    public var dropout: Double = 0.5
    public var epochs: Int = 20
    public var lr: Double = 0.01
    public var momentum: Double = 0.5
    public var batchSize: Int = 32
    public var hidden: [Int] = [512, 256]
    public var seed: Int = 1
    public var dataset: DatasetChoice = .named(.mnist)
    public var optimizer: OptimizerName = .sgd
    /// Train on the first N training examples only; nil for all of them.
    public var trainSubset: Int? = nil
    /// Evaluate on the first N test examples only; nil for all of them.
    public var testSubset: Int? = nil
    /// Training examples held out for validation (`ValidationSplit`: the same ones for every
    /// run and seed); 0 for none. Added after the first release: 0 leaves it out of run ids.
    public var validation: Int = 0
    /// How the learning rate changes per epoch. Added later: `constant` leaves it out of ids.
    public var lrSchedule: LRSchedule = .constant
    /// Input standardisation after scaling to [0, 1]; nil for none (`ToTensor()` alone, the
    /// seed program's). Added later: none leaves it out of ids.
    public var normalize: InputNormalization? = nil
    /// How the weights start (biases always as nn.Linear's). Added later: `default` stays
    /// out of ids.
    public var weightInit: WeightInit = .default
    /// The optimizer's weight decay (PyTorch's `weight_decay`): coupled L2 for SGD and Adam,
    /// decoupled for AdamW. Added later: 0 stays out of ids. A spec that picks `adamw` without
    /// writing it gets PyTorch's AdamW default, 0.01 (`Plan`).
    public var weightDecay: Double = 0
    /// Nesterov momentum (needs momentum > 0). Added later: false stays out of ids.
    public var nesterov: Bool = false
    /// Adam's and AdamW's coefficients of the running averages of the gradient and its square
    /// (PyTorch's `betas`, default (0.9, 0.999)). Added later: the default stays out of ids.
    public var betas: AdamBetas = .pytorch
    /// Adam's and AdamW's term added to the denominator (PyTorch's `eps`, default 1e-8).
    /// Added later: the default stays out of ids.
    public var eps: Double = 1e-8
    /// BatchNorm1d after each hidden Linear, before the activation (the chapter's order:
    /// Linear, BN, activation, dropout). Added later: false stays out of ids.
    public var batchNorm: Bool = false
    /// End the run once validation stops improving (`EarlyStopping`); nil for never. Added
    /// later: none stays out of ids.
    public var earlyStopping: EarlyStopping? = nil
    /// What the run learns: classes (cross-entropy) or, on a dataset of files, numeric targets
    /// (mean squared error). Added later: classification stays out of ids.
    public var task: LearningTask = .classification
    /// How SGD's momentum moves from `momentum` during the run. Added later: constant stays out of ids.
    public var momentumSchedule: MomentumSchedule = .constant
    /// Dropout probability on the inputs (the dropout paper's 0.2). Added later: 0 stays out of ids.
    public var inputDropout: Double = 0
    /// The max-norm constraint on each unit's incoming weights; nil for none. Added later: none
    /// stays out of ids.
    public var maxNorm: MaxNorm? = nil

    /// What the data loaded for this run is kept by, and shared under with other runs: the
    /// dataset's canonical text, and the task (regression reads the same files' labels as numbers).
    public var dataKey: String { dataset.key + (task == .classification ? "" : "#" + task.rawValue) }

    /// The seed program's settings (sigmoid, dropout 0.5, 20 epochs, SGD lr 0.01 momentum 0.5,
    /// batch 32, 784-512-256-10 on MNIST).
    public init() {}
}



/// The optimizers the engine implements, with PyTorch 1.13's rules and defaults.
public enum OptimizerName: String, CaseIterable, Sendable, Codable {
    /// `torch.optim.SGD` (`momentum`, `nesterov`, coupled `weight_decay`).
    case sgd
    /// `torch.optim.Adam` (`betas`, `eps`, coupled `weight_decay`, bias-corrected).
    case adam
    /// `torch.optim.AdamW` (Adam with decoupled weight decay; its default decay is 0.01).
    case adamw

    /// PyTorch's default `weight_decay` for this optimizer.
    public var defaultWeightDecay: Double { self == .adamw ? 0.01 : 0 }
}
