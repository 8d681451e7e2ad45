import Foundation
import Vocabulary

/// The train and test halves of one dataset.
public struct DatasetSplit: Sendable {
    public var train: LabeledImages
    public var test: LabeledImages
    /// The classes' names in label order, for a dataset whose labels were text (mapped in
    /// sorted order); nil when the labels were the integers 0..<K.
    public var classNames: [String]?

    public init(train: LabeledImages, test: LabeledImages, classNames: [String]? = nil) {
        self.train = train
        self.test = test
        self.classNames = classNames
    }
}

/// One dataset the runner can train on: its name (the spec's `dataset:` and its folder under
/// the data folder), its files, and how to load them. A new dataset is a case of
/// `Vocabulary.DatasetName` (its name and shape) and its loader in `loader(for:)`, which the
/// compiler asks for; the scheduler, the executor and the CLI only ever ask the registry.
public struct DatasetLoader: Sendable {
    public var name: String
    /// The files `runner data` checks (raw, or with `.gz`).
    public var files: [String]
    /// Loads and validates both halves from `directory` (the data folder).
    public var load: @Sendable (_ directory: String) throws(DataError) -> DatasetSplit
}

/// Every dataset, by name.
public enum DatasetRegistry {
    public static let all: [DatasetLoader] = DatasetName.allCases.map(loader(for:))

    /// The loader of each dataset (exhaustive: a new name without a loader does not compile).
    static func loader(for name: DatasetName) -> DatasetLoader {
        switch name {
        case .mnist, .fashionMNIST: MNIST.loader(name.rawValue)
        }
    }

    public static var names: [String] { all.map(\.name) }

    public static func named(_ name: String) -> DatasetLoader? { all.first { $0.name == name } }

    /// Loads dataset `name` from `directory`.
    /// - Throws: `DataError` for an unknown name or a missing or corrupt file.
    public static func load(_ name: String, directory: String) throws(DataError) -> DatasetSplit {
        guard let loader = named(name) else {
            throw DataError(path: directory, problem: "no dataset named '\(name)'", fix: "runner data")
        }
        return try loader.load(directory)
    }

    /// Where data lives: the `--data-dir` option, else `$RUNNER_DATA_DIR`, else the spec's
    /// `data_dir`, else `data`.
    public static func directory(option: String? = nil, spec: String? = nil,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        option ?? environment["RUNNER_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? spec ?? "data"
    }

    /// The command that fetches `name` into `directory` (the binary's own, so it works without
    /// a source checkout).
    public static func fetchCommand(_ name: String, directory: String) -> String {
        "runner data fetch \(name)" + (directory == "data" ? "" : " --data-dir \(directory)")
    }
}
