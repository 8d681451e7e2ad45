import Foundation
import SpecYAML
import Vocabulary

// MARK: - Reading the spec's mapping

extension FileDataset {
    static let keys = ["train", "test", "label", "features", "header", "delimiter", "scale"]

    /// Reads the mapping, resolves its paths against the spec file's folder and reads each
    /// file's SHA-256 (`FileDigest`, cached). A file that cannot be read is an error at its
    /// path in the spec; what the files hold is checked when they are loaded.
    static func parse(_ map: Node.Mapping, _ node: Node, _ source: Source) throws(YAMLError) -> FileDataset {
        var parts: [String: (Part, Node)] = [:]
        var written: [String: String] = [:]  // resolved path → as the spec wrote it, for errors
        var label: String?, features: [String]?, header = true, delimiter: UInt8?, scale = Scale.none
        let folder = source.name.hasPrefix("--") ? FileManager.default.currentDirectoryPath
            : URL(fileURLWithPath: source.name).deletingLastPathComponent().path
        func resolve(_ node: Node) throws(YAMLError) -> String {
            guard case .scalar(let s) = node, !s.isNull, !s.value.isEmpty else {
                throw YAMLError("a data file must be a path, got \(node.kindDescription)", at: node.mark, in: source)
            }
            let path = URL(fileURLWithPath: s.value.hasPrefix("/") ? s.value : folder + "/" + s.value).standardizedFileURL.path
            written[path] = s.value
            return path
        }
        for entry in map.entries {
            let key = entry.key.value
            switch key {
            case "train", "test":
                switch entry.value {
                case .mapping(let pair):
                    // {x: FILE, y: FILE}, or {file: ARCHIVE.npz, x: ARRAY, y: ARRAY}.
                    var x: Node?, y: Node?, file: String?
                    for e in pair.entries {
                        switch e.key.value {
                        case "x": x = e.value
                        case "y": y = e.value
                        case "file": file = try resolve(e.value)
                        default:
                            throw YAMLError("unknown key '\(e.key.value)' in dataset \(key); it takes x (features) and y (labels), "
                                + "and file for an NPZ archive", at: e.key.mark, in: source)
                        }
                    }
                    guard let x, let y else {
                        throw YAMLError("dataset \(key) needs both x (features) and y (labels)", at: entry.value.mark, in: source)
                    }
                    if let file {
                        func name(_ node: Node) throws(YAMLError) -> String {
                            guard case .scalar(let s) = node, !s.isNull, !s.value.isEmpty, !s.value.contains("|"),
                                  !s.value.contains(","), !s.value.contains(")") else {
                                throw YAMLError("an NPZ array must be named, e.g. x_train", at: node.mark, in: source)
                            }
                            return s.value
                        }
                        parts[key] = (Part(x: try name(x), y: try name(y), archive: file), entry.value)
                    } else {
                        parts[key] = (Part(x: try resolve(x), y: try resolve(y)), entry.value)
                    }
                default:
                    parts[key] = (Part(x: try resolve(entry.value), y: nil), entry.value)
                }
            case "label":
                // One column, or several (regression with more than one target): `label: [a, b]`.
                let usage = "dataset label must be a column name or a 0-based column index, or a list of them for "
                    + "several regression targets"
                let items: [Node]
                if case .sequence(let list) = entry.value, !list.items.isEmpty { items = list.items } else { items = [entry.value] }
                var names: [String] = []
                for item in items {
                    guard case .scalar(let s) = item, !s.isNull, !s.value.isEmpty, !s.value.contains(","),
                          !s.value.contains("|") else {
                        throw YAMLError(usage, at: item.mark, in: source)
                    }
                    guard !names.contains(s.value) else {
                        throw YAMLError("dataset label lists '\(s.shortValue)' twice", at: item.mark, in: source)
                    }
                    names.append(s.value)
                }
                label = names.joined(separator: "|")
            case "features":
                guard case .sequence(let list) = entry.value, !list.items.isEmpty else {
                    throw YAMLError("dataset features must be a list of column names or indices", at: entry.value.mark, in: source)
                }
                features = try list.items.map { (item) throws(YAMLError) -> String in
                    guard case .scalar(let s) = item, !s.isNull, !s.value.isEmpty, !s.value.contains(","),
                          !s.value.contains("|") else {
                        throw YAMLError("a feature must be a column name or a 0-based column index", at: item.mark, in: source)
                    }
                    return s.value
                }
            case "header":
                guard case .scalar(let s) = entry.value, let b = s.bool else {
                    throw YAMLError("dataset header must be true or false", at: entry.value.mark, in: source)
                }
                header = b
            case "delimiter":
                guard case .scalar(let s) = entry.value, s.value.utf8.count == 1, let byte = s.value.utf8.first,
                      byte != 10, byte != 13, byte != 34 else {
                    throw YAMLError("dataset delimiter must be one character such as ',' ';' or '\\t'", at: entry.value.mark, in: source)
                }
                delimiter = byte
            case "scale":
                scale = try parseScale(entry.value, source)
            default:
                throw YAMLError("unknown key '\(key)' in dataset; it takes " + keys.joined(separator: ", ")
                    + Suggestion.hint(for: key, in: keys), at: entry.key.mark, in: source)
            }
        }
        guard let (train, trainNode) = parts["train"], let (test, testNode) = parts["test"] else {
            throw YAMLError("dataset needs both train and test files", at: node.mark, in: source)
        }
        guard (train.y == nil) == (test.y == nil), (train.archive == nil) == (test.archive == nil) else {
            throw YAMLError("dataset train and test must be alike: both CSV files, both x/y pairs of files, or both arrays of NPZ files",
                            at: node.mark, in: source)
        }
        let format: Format
        if train.y == nil {
            format = .csv
            guard label != nil else {
                throw YAMLError("a CSV dataset needs label: the column that holds each example's class", at: node.mark, in: source)
            }
        } else {
            format = train.archive != nil ? .npz : [train.x, test.x].allSatisfy { $0.hasSuffix(".npy") } ? .npy : .idx
            if label != nil || features != nil || !header || delimiter != nil {
                throw YAMLError("label, features, header and delimiter are CSV options; NPY and IDX pairs "
                    + "give labels as y", at: node.mark, in: source)
            }
        }
        var digest: [String] = []
        for (part, partNode) in [(train, trainNode), (test, testNode)] {
            for path in part.archive.map({ [$0] }) ?? [part.x] + (part.y.map { [$0] } ?? []) {
                do throws(FileDigest.Failure) {
                    digest.append(try FileDigest.sha256(path))
                } catch {
                    let relative = written[path].map { $0.hasPrefix("/") ? "" : " (relative paths start at the spec's folder)" } ?? ""
                    throw YAMLError("cannot read data file '\(written[path] ?? path)': \(error.reason)\(relative)",
                                    at: partNode.mark, in: source)
                }
            }
        }
        var dataset = FileDataset(train: train, test: test, format: format,
                                  digest: digest.count == 1 ? digest[0] : ShortDigest.sha256(Array(digest.joined(separator: "\n").utf8)))
        dataset.label = label
        dataset.features = features
        dataset.header = header
        dataset.delimiter = delimiter
        dataset.scale = scale
        return dataset
    }

    static func parseScale(_ node: Node, _ source: Source) throws(YAMLError) -> Scale {
        let usage = "dataset scale must be none, standardize, minmax or {divide: N}"
        switch node {
        case .scalar(let s):
            guard let scale = Scale(canonical: s.value), s.value != "divide" else {
                throw YAMLError(usage + "; got '\(s.shortValue)'", at: node.mark, in: source)
            }
            return scale
        case .mapping(let map):
            guard map.entries.count == 1, map.entries[0].key.value == "divide" else {
                throw YAMLError(usage, at: node.mark, in: source)
            }
            let d = try Parameter.number(map.entries[0].value, source, key: "scale divide", range: "> 0") { $0 > 0 }
            return .divide(d)
        default:
            throw YAMLError(usage + "; got \(node.kindDescription)", at: node.mark, in: source)
        }
    }
}
