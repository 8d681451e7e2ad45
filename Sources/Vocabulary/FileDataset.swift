
/// `dataset:` as a mapping: the user's own data, from files.
///
///     dataset: {train: wine-train.csv, test: wine-test.csv, label: quality, scale: standardize}
///     dataset: {train: {x: train-x.npy, y: train-y.npy}, test: {x: test-x.npy, y: test-y.npy}}
///     dataset: {train: {x: emnist-train-images-idx3-ubyte.gz, y: emnist-train-labels-idx1-ubyte.gz}, test: ...}
///
/// A CSV holds features and the label column; NPY and IDX files come in pairs (`x`: a matrix or
/// a stack of images, `y`: the labels). Relative paths resolve against the spec file's folder.
///
/// Identity: what a run trains on is the files' content, not their names, so the canonical
/// text (which run ids hash) holds the SHA-256 of every file (`FileDigest`) and the options
/// that change what is read, and no path: moving the files keeps the ids, changing a byte
/// trains new runs. Two values are the same when their canonical texts are.
public struct FileDataset: Sendable, Hashable, CustomStringConvertible {
    public enum Format: String, Sendable, CaseIterable { case csv, npy, npz, idx }

    /// One half (train or test): a CSV, the pair of files `x` and `y`, or the arrays `x` and
    /// `y` of the NPZ `archive`.
    public struct Part: Sendable {
        public var x: String
        public var y: String?
        public var archive: String?

        public init(x: String, y: String?, archive: String? = nil) {
            self.x = x
            self.y = y
            self.archive = archive
        }
    }

    /// How features are scaled, fitted on the run's training examples only.
    public enum Scale: Hashable, Sendable, CustomStringConvertible {
        case none, standardize, minmax
        case divide(Double)

        public var description: String {
            switch self {
            case .none: "none"
            case .standardize: "standardize"
            case .minmax: "minmax"
            case .divide(let d): "divide(\(d))"
            }
        }

        public init?(canonical text: String) {
            switch text {
            case "none": self = .none
            case "standardize": self = .standardize
            case "minmax": self = .minmax
            default:
                guard text.hasPrefix("divide("), text.hasSuffix(")"),
                      let d = Double(text.dropFirst(7).dropLast()), d > 0, d.isFinite else { return nil }
                self = .divide(d)
            }
        }
    }

    /// Where the files are (absolute); not part of the identity. Empty in a config read back
    /// from a record (config.json keeps the identity, provenance.json the paths).
    public var train: Part
    public var test: Part
    public var format: Format
    /// CSV: the label column, by header name or by 0-based index; several regression targets
    /// joined by `|` (`label: [a, b]` is `a|b`, which the canonical text keeps as written).
    public var label: String?
    /// The label columns, one per regression target (one for classification).
    public var labelColumns: [String] { label.map { $0.split(separator: "|").map(String.init) } ?? [] }
    /// CSV: the feature columns (default: every column but the label).
    public var features: [String]?
    /// CSV: whether the first line names the columns.
    public var header = true
    /// CSV: the field separator; nil to detect it from the first line (`,`, `;`, tab, `|`).
    public var delimiter: UInt8?
    public var scale: Scale = .none
    /// SHA-256 (hex) of the files' contents, train then test, x then y.
    public var digest: String

    /// The files, in digest order.
    public var paths: [String] {
        [train, test].flatMap { part in part.archive.map { [$0] } ?? [part.x] + (part.y.map { [$0] } ?? []) }
    }

    /// The canonical text: `files(csv,sha=<12 hex>,label=quality,scale=standardize)`, with
    /// `features=`, `header=false` and `delimiter=` only when given.
    public var description: String {
        var fields = [format.rawValue, "sha=\(digest.prefix(12))"]
        if format == .npz { fields.append("arrays=" + [train.x, train.y ?? "", test.x, test.y ?? ""].joined(separator: "|")) }
        if let label { fields.append("label=\(label)") }
        if let features { fields.append("features=" + features.joined(separator: "|")) }
        if !header { fields.append("header=false") }
        if let delimiter { fields.append("delimiter=\(delimiter)") }
        fields.append("scale=\(scale)")
        return "files(" + fields.joined(separator: ",") + ")"
    }

    public static func == (a: FileDataset, b: FileDataset) -> Bool { a.description == b.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    /// A value read back from its canonical text (a record's config): the identity, no paths.
    public init?(canonical text: String) {
        guard text.hasPrefix("files("), text.hasSuffix(")") else { return nil }
        let fields = text.dropFirst(6).dropLast().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard let first = fields.first, let format = Format(rawValue: first) else { return nil }
        self.format = format
        train = Part(x: "", y: nil)
        test = Part(x: "", y: nil)
        digest = ""
        var sawScale = false
        for field in fields.dropFirst() {
            guard let eq = field.firstIndex(of: "=") else { return nil }
            let key = field[..<eq], value = String(field[field.index(after: eq)...])
            switch key {
            case "sha": digest = value
            case "arrays":
                let names = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard names.count == 4 else { return nil }
                train = Part(x: names[0], y: names[1], archive: "")
                test = Part(x: names[2], y: names[3], archive: "")
            case "label": label = value
            case "features": features = value.split(separator: "|").map(String.init)
            case "header": header = value != "false"
            case "delimiter": delimiter = UInt8(value)
            case "scale":
                guard let s = Scale(canonical: value) else { return nil }
                scale = s
                sawScale = true
            default: return nil
            }
        }
        guard digest.count == 12, sawScale else { return nil }
    }

    public init(train: Part, test: Part, format: Format, digest: String) {
        self.train = train
        self.test = test
        self.format = format
        self.digest = digest
    }
}

