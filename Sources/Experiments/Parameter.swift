import SpecYAML
import Vocabulary

/// One spec key that sets a run parameter: how to read it from a node, and where it goes.
public struct Parameter: Sendable {
    /// The key as written in a spec, e.g. `batch_size`.
    public let key: String
    /// One line for `--help` and docs/specs.md.
    public let summary: String
    let decode: @Sendable (Node, Source) throws(YAMLError) -> ParameterValue
    let apply: @Sendable (inout RunConfig, ParameterValue) -> Void
    /// The parameter's value in a config.
    public let read: @Sendable (RunConfig) -> ParameterValue
    /// For a parameter added after the first release: the value it had, in effect, before it
    /// existed. A run at that value leaves it out of its id (and config.json), so adding the
    /// parameter re-ids no result already on disk. nil for the first release's parameters,
    /// which are always part of the id.
    public var introducedAt: ParameterValue? = nil
    /// What is wrong with a config's value of this parameter as the engine would use it, if
    /// anything: the same range the spec's reader checks, for configs built any other way.
    var check: @Sendable (RunConfig) -> String? = { _ in nil }
    /// For a typed parameter: its value from the canonical text a record holds (nil: not one).
    var fromText: (@Sendable (String) -> ParameterValue?)? = nil

    /// The problem with `config`'s value of this parameter, or nil.
    public func problem(in config: RunConfig) -> String? { check(config) }

    /// True when `config`'s value of this parameter is part of its identity.
    public func identifies(_ config: RunConfig) -> Bool {
        introducedAt.map { read(config) != $0 } ?? true
    }

    /// Every parameter, in the order docs/specs.md documents them and run ids hash them.
    public static let all: [Parameter] = [
        choice("activation", "hidden-layer nonlinearity", Activation.self, \.activation),
        real("dropout", "dropout probability p after each hidden activation, in [0, 1)", \.dropout,
             range: "in [0, 1)") { $0 >= 0 && $0 < 1 },
        integer("epochs", "passes over the training set, >= 1", \.epochs, min: 1, max: 1_000_000),
        real("lr", "learning rate, > 0", \.lr, range: "> 0") { $0 > 0 },
        real("momentum", "SGD momentum, in [0, 1)", \.momentum, range: "in [0, 1)") { $0 >= 0 && $0 < 1 },
        integer("batch_size", "training mini-batch size, >= 1", \.batchSize, min: 1, max: 1_000_000),
        Parameter(
            key: "hidden", summary: "hidden layer sizes, a list such as [512, 256] ([] for none)",
            decode: { node, source throws(YAMLError) in
                guard case .sequence(let list) = node else {
                    throw YAMLError("hidden must be a list of layer sizes such as [512, 256], "
                        + "got \(node.kindDescription)", at: node.mark, in: source)
                }
                if list.items.count > 16 {
                    throw YAMLError("hidden has \(list.items.count) layers; at most 16 are supported",
                                    at: node.mark, in: source)
                }
                return .ints(try list.items.map { (item) throws(YAMLError) -> Int in
                    try int(item, source, key: "hidden layer size", min: 1, max: 65_536)
                })
            },
            apply: { if case .ints(let l) = $1 { $0.hidden = l } },
            read: { .ints($0.hidden) }),
        integer("seed", "seed of the run's random streams (init, shuffle, dropout), >= 0",
                \.seed, min: 0, max: Int.max),
        Parameter(
            key: "dataset",
            summary: "training and test data (mnist | fashion-mnist), or your files: {train: ..., test: ..., label: ...}",
            decode: { node, source throws(YAMLError) in datasetValue(try DatasetChoice.parse(node, source)) },
            apply: { config, value in
                switch value {
                case .string(let s): if let name = DatasetName(rawValue: s) { config.dataset = .named(name) }
                case .typed(let t): if let choice = t.value as? DatasetChoice { config.dataset = choice }
                default: break
                }
            },
            read: { datasetValue($0.dataset) },
            fromText: { DatasetChoice(canonical: $0).map(datasetValue) }),
        choice("optimizer", "optimizer, as PyTorch's SGD, Adam, AdamW", OptimizerName.self, \.optimizer),
        optionalInteger("train_subset", "use only the first N training examples (default: all)",
                        \.trainSubset),
        optionalInteger("test_subset", "evaluate on the first N test examples only (default: all)",
                        \.testSubset),
        // Added later: each names the value that leaves it out of run ids (see `introducedAt`).
        with(integer("validation", "hold out N training examples for validation, >= 0 (default 0: none)",
                     \.validation, min: 0, max: 100_000_000), introducedAt: .int(0)),
        with(typed("lr_schedule",
                   "learning-rate schedule per epoch: constant, cosine, {step: {step_size, gamma}}, {cosine: {eta_min}}",
                   \.lrSchedule, text: \.description, parse: LRSchedule.parse, canonical: LRSchedule.init(canonical:)),
             introducedAt: typedValue(LRSchedule.constant, \.description)),
        with(typed("normalize",
                   "input standardisation (x - mean) / std after scaling to [0, 1]: none, mnist (0.1307, 0.3081), [mean, std]",
                   \.normalize, text: { $0?.description ?? "none" }, parse: InputNormalization.parse,
                   canonical: { $0 == "none" ? .some(nil) : InputNormalization(canonical: $0).map { .some($0) } }),
             introducedAt: typedValue(InputNormalization?.none) { $0?.description ?? "none" }),
        with(typed("init", "weight initialisation: " + WeightInit.named.map(\.name).joined(separator: " | ")
                    + " (biases stay nn.Linear's), or {uniform: {bound}}, {normal: {std}}, {normal_fan_in: {sigma}} (biases 0)",
                   \.weightInit, text: \.description, parse: Parameter.parseInit, canonical: WeightInit.init(canonical:)),
             introducedAt: typedValue(WeightInit.default, \.description)),
        with(real("weight_decay", "weight decay, >= 0: L2 added to every gradient (sgd, adam), decoupled (adamw; default 0.01)",
                  \.weightDecay, range: ">= 0") { $0 >= 0 }, introducedAt: .double(0)),
        with(boolean("nesterov", "Nesterov momentum (sgd; needs momentum > 0)", \.nesterov), introducedAt: .string("false")),
        with(typed("betas", "Adam's [beta1, beta2], each in [0, 1) (default [0.9, 0.999])",
                   \.betas, text: \.description, parse: AdamBetas.parse, canonical: AdamBetas.init(canonical:)),
             introducedAt: typedValue(AdamBetas.pytorch, \.description)),
        with(real("eps", "Adam's denominator term, > 0 (default 1e-8)", \.eps, range: "> 0") { $0 > 0 },
             introducedAt: .double(1e-8)),
        with(boolean("batch_norm", "BatchNorm1d after each hidden Linear, before the activation", \.batchNorm),
             introducedAt: .string("false")),
        with(typed("early_stopping",
                   "end a run when validation stops improving: none, {metric: val_loss | val_accuracy, patience: N, min_delta: D}",
                   \.earlyStopping, text: { $0?.description ?? "none" }, parse: EarlyStopping.parse,
                   canonical: { $0 == "none" ? .some(nil) : EarlyStopping(canonical: $0).map { .some($0) } }),
             introducedAt: typedValue(EarlyStopping?.none) { $0?.description ?? "none" }),
        with(choice("task", "what the network learns: classes (cross-entropy) or numbers (mean squared error; files only)",
                    LearningTask.self, \.task), introducedAt: .string("classification")),
        with(typed("momentum_schedule",
                   "SGD momentum from `momentum` to end: constant, {linear: {end, epochs, begin}} per epoch, {exponential: {end, steps}} per step",
                   \.momentumSchedule, text: \.description, parse: MomentumSchedule.parse, canonical: MomentumSchedule.init(canonical:)),
             introducedAt: typedValue(MomentumSchedule.constant, \.description)),
        with(real("input_dropout", "dropout probability on the inputs, in [0, 1) (the dropout paper's 0.2)", \.inputDropout,
                  range: "in [0, 1)") { $0 >= 0 && $0 < 1 }, introducedAt: .double(0)),
        with(typed("max_norm", "max-norm constraint on each unit's incoming weights: none, c > 0, or one c per dense layer",
                   \.maxNorm, text: { $0?.description ?? "none" }, parse: MaxNorm.parse,
                   canonical: { $0 == "none" ? .some(nil) : MaxNorm(canonical: $0).map { .some($0) } }),
             introducedAt: typedValue(MaxNorm?.none) { $0?.description ?? "none" }),
    ]

    /// A named dataset is its name, as it always was (ids unchanged); files are a typed value.
    static func datasetValue(_ choice: DatasetChoice) -> ParameterValue {
        switch choice {
        case .named(let name): .string(name.rawValue)
        case .files: .typed(TypedValue(choice, text: choice.description))
        }
    }

    private static func with(_ parameter: Parameter, introducedAt value: ParameterValue) -> Parameter {
        var p = parameter
        p.introducedAt = value
        return p
    }

    /// The keys of all parameters.
    public static var keys: [String] { all.map(\.key) }

    /// The parameter named `key`, if there is one.
    public static func named(_ key: String) -> Parameter? { all.first { $0.key == key } }

    /// Reads this parameter's value from a node, validating type and range.
    /// - Throws: `YAMLError` at the node when it has the wrong type or is out of range.
    public func value(from node: Node, in source: Source) throws(YAMLError) -> ParameterValue {
        try decode(node, source)
    }

    /// Sets this parameter in `config`.
    public func set(_ value: ParameterValue, in config: inout RunConfig) { apply(&config, value) }
}

// MARK: - Builders and readers

extension Parameter {
    /// A structured value read by its type's parser (`LRSchedule.parse`, ...), kept typed
    /// (`ParameterValue.typed`) with its canonical text; `canonical` reads that text back,
    /// only where a record on disk holds it (config.json, `RunConfig`'s `Codable`).
    static func typed<T: Sendable>(_ key: String, _ summary: String, _ path: WritableKeyPath<RunConfig, T> & Sendable,
                                   text: @escaping @Sendable (T) -> String,
                                   parse: @escaping @Sendable (Node, Source) throws(YAMLError) -> T,
                                   canonical: @escaping @Sendable (String) -> T?) -> Parameter {
        Parameter(
            key: key, summary: summary,
            decode: { node, source throws(YAMLError) in typedValue(try parse(node, source), text) },
            apply: { config, value in
                if case .typed(let t) = value, let v = t.value as? T { config[keyPath: path] = v }
            },
            read: { typedValue($0[keyPath: path], text) },
            fromText: { canonical($0).map { typedValue($0, text) } })
    }

    /// `value` as a typed parameter value with its canonical text.
    static func typedValue<T: Sendable>(_ value: T, _ text: (T) -> String) -> ParameterValue {
        .typed(TypedValue(value, text: text(value)))
    }

    static func choice<E: RawRepresentable & CaseIterable & Sendable>(
        _ key: String, _ summary: String, _: E.Type, _ path: WritableKeyPath<RunConfig, E> & Sendable
    ) -> Parameter where E.RawValue == String {
        let names = E.allCases.map(\.rawValue)
        return Parameter(
            key: key, summary: summary + " (" + names.joined(separator: " | ") + ")",
            decode: { node, source throws(YAMLError) in
                guard case .scalar(let s) = node, !s.isNull, s.bool == nil, s.double == nil else {
                    throw YAMLError("\(key) must be one of \(names.joined(separator: ", ")); "
                        + "got \(node.kindDescription)", at: node.mark, in: source)
                }
                guard E(rawValue: s.value) != nil else {
                    throw YAMLError("\(key) must be one of \(names.joined(separator: ", ")); "
                        + "got '\(s.shortValue)'" + Suggestion.hint(for: s.value, in: names),
                        at: node.mark, in: source)
                }
                return .string(s.value)
            },
            apply: { config, value in
                if case .string(let s) = value, let e = E(rawValue: s) { config[keyPath: path] = e }
            },
            read: { .string($0[keyPath: path].rawValue) })
    }

    /// true or false (canonical text `true`, `false`).
    static func boolean(_ key: String, _ summary: String, _ path: WritableKeyPath<RunConfig, Bool> & Sendable) -> Parameter {
        Parameter(
            key: key, summary: summary,
            decode: { node, source throws(YAMLError) in
                guard case .scalar(let s) = node, let b = s.bool else {
                    let got = node.scalar.map { "'\($0.shortValue)'" } ?? node.kindDescription
                    throw YAMLError("\(key) must be true or false, got \(got)", at: node.mark, in: source)
                }
                return .string(b ? "true" : "false")
            },
            apply: { if case .string(let s) = $1 { $0[keyPath: path] = s == "true" } },
            read: { .string($0[keyPath: path] ? "true" : "false") })
    }

    /// A finite number for which `valid` holds, both as written and as the engine will use it
    /// (narrowed to a 32-bit float); `range` words the condition for errors. Minus zero is
    /// stored as zero, so `-0.0` and `0.0` are one value (and one run id).
    static func real(_ key: String, _ summary: String, _ path: WritableKeyPath<RunConfig, Double> & Sendable,
                     range: String, valid: @escaping @Sendable (Double) -> Bool) -> Parameter {
        Parameter(
            key: key, summary: summary,
            decode: { node, source throws(YAMLError) in
                let value = try number(node, source, key: key, range: range, valid: valid)
                // The engine computes in Float32 with subnormals flushed to zero.
                let narrowed = Float(value).isSubnormal ? 0 : Float(value)
                guard narrowed.isFinite, valid(Double(narrowed)) else {
                    throw YAMLError("\(key) must be a number \(range) as a 32-bit float, the engine's precision; "
                        + "got \(node.scalar?.shortValue ?? String(value)), which becomes \(narrowed)",
                        at: node.mark, in: source)
                }
                return .double(value == 0 ? 0 : value)
            },
            apply: { if case .double(let d) = $1 { $0[keyPath: path] = d } },
            read: { .double($0[keyPath: path]) },
            check: { config in
                let value = config[keyPath: path], narrowed = Float(value).isSubnormal ? 0 : Float(value)
                return value.isFinite && valid(value) && narrowed.isFinite && valid(Double(narrowed)) ? nil
                    : "\(key) must be a number \(range) as a 32-bit float, the engine's precision; got \(value)"
            })
    }

    static func integer(_ key: String, _ summary: String, _ path: WritableKeyPath<RunConfig, Int> & Sendable,
                        min: Int, max: Int) -> Parameter {
        Parameter(
            key: key, summary: summary,
            decode: { node, source throws(YAMLError) in .int(try int(node, source, key: key, min: min, max: max)) },
            apply: { if case .int(let i) = $1 { $0[keyPath: path] = i } },
            read: { .int($0[keyPath: path]) },
            check: { config in
                let value = config[keyPath: path]
                return value >= min && value <= max ? nil
                    : "\(key) must be an integer " + (max == Int.max ? ">= \(min)" : "in \(min)...\(max)") + ", got \(value)"
            })
    }

    static func optionalInteger(_ key: String, _ summary: String,
                                _ path: WritableKeyPath<RunConfig, Int?> & Sendable) -> Parameter {
        Parameter(
            key: key, summary: summary,
            decode: { node, source throws(YAMLError) in
                if case .scalar(let s) = node, s.isNull || s.value == "all" { return .none }
                return .int(try int(node, source, key: key, min: 1, max: 100_000_000))
            },
            apply: { config, value in
                switch value {
                case .int(let i): config[keyPath: path] = i
                case .none: config[keyPath: path] = nil
                default: break
                }
            },
            read: { $0[keyPath: path].map(ParameterValue.int) ?? .none })
    }

    /// Reads an integer in `min...max`, or throws at the node.
    static func int(_ node: Node, _ source: Source, key: String, min: Int, max: Int) throws(YAMLError) -> Int {
        let bound = max == Int.max ? ">= \(min)" : "in \(min)...\(max)"
        guard case .scalar(let s) = node, s.looksLikeInteger || s.int != nil else {
            let got = node.scalar.map { "'\($0.shortValue)'" } ?? node.kindDescription
            throw YAMLError("\(key) must be an integer \(bound), got \(got)" + quotedHint(node),
                            at: node.mark, in: source)
        }
        guard let value = s.int, value >= min, value <= max else {
            throw YAMLError("\(key) must be an integer \(bound), got \(s.shortValue)", at: node.mark, in: source)
        }
        return value
    }

    /// "; remove the quotes" when a quoted scalar would have been a number unquoted.
    static func quotedHint(_ node: Node) -> String {
        guard case .scalar(let s) = node, s.style != .plain,
              Node.Scalar(s.value, mark: s.mark).double != nil else { return "" }
        return " (quoted, so it is text); remove the quotes"
    }

    /// Reads a finite number for which `valid` holds, or throws at the node.
    static func number(_ node: Node, _ source: Source, key: String, range: String,
                       valid: (Double) -> Bool) throws(YAMLError) -> Double {
        guard case .scalar(let s) = node, let value = s.double else {
            let got = node.scalar.map { "'\($0.shortValue)'" } ?? node.kindDescription
            throw YAMLError("\(key) must be a number \(range), got \(got)" + quotedHint(node),
                            at: node.mark, in: source)
        }
        guard value.isFinite else {
            throw YAMLError("\(key) must be a finite number \(range), got \(s.shortValue)", at: node.mark, in: source)
        }
        guard valid(value) else {
            throw YAMLError("\(key) must be a number \(range), got \(s.shortValue)", at: node.mark, in: source)
        }
        return value
    }
}
