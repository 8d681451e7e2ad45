import SpecYAML
import Vocabulary

/// A run's `dataset:`: one runner ships (`mnist`, `fashion-mnist`, by name) or the user's own
/// files (`FileDataset`). A named one keeps its canonical text, the name, so the ids of runs
/// on the shipped datasets never change.
public enum DatasetChoice: Hashable, Sendable, CustomStringConvertible {
    case named(DatasetName)
    case files(FileDataset)

    /// The canonical text: the name, or the files' identity (`FileDataset.description`).
    public var description: String {
        switch self {
        case .named(let name): name.rawValue
        case .files(let files): files.description
        }
    }

    /// What the loaded datasets are kept by (the canonical text).
    public var key: String { description }

    /// The published shape of a named dataset; nil for files (known once they are loaded).
    public var shape: DatasetName? {
        if case .named(let name) = self { name } else { nil }
    }

    public init?(canonical text: String) {
        if let name = DatasetName(rawValue: text) {
            self = .named(name)
        } else if let files = FileDataset(canonical: text) {
            self = .files(files)
        } else {
            return nil
        }
    }

    /// `mnist`, `fashion-mnist`, or a mapping of files (`FileDataset.parse`).
    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> DatasetChoice {
        let names = DatasetName.allCases.map(\.rawValue)
        switch node {
        case .mapping(let map):
            return .files(try FileDataset.parse(map, node, source))
        case .scalar(let s) where !s.isNull && s.bool == nil && s.double == nil:
            guard let name = DatasetName(rawValue: s.value) else {
                throw YAMLError("dataset must be one of \(names.joined(separator: ", ")), or a mapping of files such as "
                    + "{train: train.csv, test: test.csv, label: COLUMN}; got '\(s.shortValue)'"
                    + Suggestion.hint(for: s.value, in: names), at: node.mark, in: source)
            }
            return .named(name)
        default:
            throw YAMLError("dataset must be one of \(names.joined(separator: ", ")), or a mapping of files such as "
                + "{train: train.csv, test: test.csv, label: COLUMN}; got \(node.kindDescription)", at: node.mark, in: source)
        }
    }
}
