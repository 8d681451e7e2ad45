import Foundation
import SpecYAML

/// A typed, validated experiment spec: base parameters plus how to sweep them.
///
/// Read from YAML (see docs/specs.md, the spec reference). Lists are values, never axes, unless they
/// stand under `sweep:`; that is how `hidden: [512, 256]` stays one value.
public struct ExperimentSpec: Sendable {
    /// One swept parameter and its values, in the order written.
    public struct Axis: Sendable {
        public var parameter: Parameter
        public var values: [ParameterValue]
        public var mark: Mark
        /// Where each value was written.
        public var valueMarks: [Mark] = []
    }

    /// One sampled parameter (`lr: {log_uniform: [1e-4, 1e-1]}` under `sweep:`).
    public struct SampledAxis: Sendable {
        public var parameter: Parameter
        public var distribution: Distribution
    }

    /// A partial assignment (`{activation: relu, dropout: 0.5}`) with where it was written.
    public struct Assignment: Sendable {
        public var values: [(parameter: Parameter, value: ParameterValue)]
        public var mark: Mark
    }

    /// The experiment's name: the results folder under `results/`.
    public var name: String
    public var summary: String?
    /// Where the datasets live, if the spec says (`data_dir:`); `--data-dir` and
    /// `RUNNER_DATA_DIR` take precedence.
    public var dataDirectory: String?
    /// Job-array resources for `runner slurm` (the `slurm:` section).
    public var slurm = SlurmSettings()
    /// How the best epoch and group are chosen (the `select:` section), if the spec says.
    public var selection: Selection?
    /// Stopping hopeless runs at rung boundaries (the `prune:` section), if the spec says.
    public var pruning: Pruning?
    /// A model-based search over the sampled parameters (`search:`), instead of `samples:` draws.
    public var search: Search?
    var searchMark: Mark?
    /// Seeds added round by round until each comparison is decided (`seeds:`), instead of `repeats`.
    public var adaptiveSeeds: AdaptiveSeeds?
    var adaptiveSeedsMark: Mark?
    var pruningMark: Mark?
    var selectionMark: Mark?
    /// Parameters every run starts from.
    public var base: RunConfig
    /// The parameters the spec's top level (or `--set`) writes; the others in `base` are
    /// defaults, which may depend on other values (AdamW's weight decay).
    public var baseKeys: Set<String> = []
    /// The grid: runs are the cartesian product of the axes, last axis varying fastest.
    public var axes: [Axis]
    /// The sampled parameters: each grid point runs `samples` draws of them (`Distribution`).
    public var sampled: [SampledAxis] = []
    /// How many draws of the sampled parameters (`samples:`); nil without sampling.
    public var samples: Int?
    var samplesMark: Mark?
    /// Seeds the draws (`sample_seed:`, default 0): the same spec always draws the same values.
    public var sampleSeed: UInt64 = 0
    /// Grid runs to drop: each entry removes the runs matching all of its values.
    public var excludes: [Assignment]
    /// Extra runs after the grid: each is `base` with its values applied.
    public var includes: [Assignment]
    /// Runs per configuration, with seeds `seed`, `seed + 1`, ...
    public var repeats: Int
    /// `threads:` each run's products are split over (`--threads` wins); nil for the default,
    /// the cores the runs at once leave free. Not part of run ids: any number gives the same bits.
    public var threads: Int?
    /// The text it came from, for errors found later (expansion).
    public var source: Source
    /// Where `sweep:` was written, for errors about the whole grid.
    public var sweepMark: Mark
    /// Where `repeats:` was written, if it was, for errors about the seeds it adds.
    public var repeatsMark: Mark?
    /// Where each parameter's values were written (top level, sweep axes, include entries),
    /// so that checks of whole runs (memory, subset sizes) point at the value that broke them.
    public var valueMarks: [String: [(value: ParameterValue, mark: Mark, source: Source)]] = [:]

    /// An error about `value` of parameter `key`, at the first place that wrote that value,
    /// else the first that wrote the key, else the top of the spec.
    public func error(_ message: String, at key: String, value: ParameterValue) -> YAMLError {
        let places = valueMarks[key] ?? []
        guard let place = places.first(where: { $0.value == value }) ?? places.first else {
            return YAMLError(message, at: sweepMark, in: source)
        }
        return YAMLError(message, at: place.mark, in: place.source)
    }

    mutating func noteMark(_ key: String, _ value: ParameterValue, _ mark: Mark, _ source: Source) {
        valueMarks[key, default: []].append((value, mark, source))
    }

    /// The top-level keys that are not parameters.
    public static let sectionKeys = ["name", "description", "data_dir", "sweep", "exclude", "include", "repeats", "slurm", "select",
                                     "samples", "sample_seed", "prune", "search", "seeds", "threads"]

    // MARK: - Loading

    /// Reads, parses and validates the spec at `path`, then applies `--set` overrides.
    /// - Parameters:
    ///   - path: the spec file.
    ///   - overrides: `key=value` strings; each value is YAML, typed and checked like the file's.
    /// - Throws: `SpecError` for an unreadable file or the first invalid node.
    public static func load(path: String, overrides: [String] = []) throws(SpecError) -> ExperimentSpec {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            // `runner spec.yaml epochs=3`: a parameter given as a second spec.
            if let eq = path.firstIndex(of: "="), !path.contains("/"), Parameter.named(String(path[..<eq])) != nil {
                throw .file(path: path, message: "no such spec file; to set a parameter write --set \(path)")
            }
            throw .file(path: path, message: "no such spec file; check the path (specs live in experiments/)")
        }
        if isDirectory.boolValue {
            throw .file(path: path, message: "is a directory; give a spec file such as \(path)/NAME.yaml")
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .file(path: path, message: "is not a regular file (a pipe, device or socket); give a spec file")
        }
        guard Int(info.st_size) <= maxFileBytes else {
            throw .file(path: path, message: "is \(info.st_size) bytes; a spec is at most \(maxFileBytes) bytes")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .file(path: path, message: "cannot read the spec file; check its permissions")
        }
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try parse(data: data, name: path, defaultName: stem, overrides: overrides)
    }

    /// Parses the bytes of a spec file: checks they are UTF-8, then parses and validates.
    /// - Parameters:
    ///   - name: what errors call the source (the path).
    public static func parse(data: Data, name: String, defaultName: String,
                             overrides: [String] = []) throws(SpecError) -> ExperimentSpec {
        // A UTF-8 byte order mark, as some editors write: not part of the text.
        let data = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data
        let text = String(decoding: data, as: UTF8.self)
        // Invalid UTF-8 would decode to U+FFFD and mislead every later message: stop here.
        if String(validating: data, as: UTF8.self) == nil {
            let source = Source(name: name, text: text)
            let offset = firstInvalidUTF8(data)
            let prefix = String(decoding: data.prefix(offset), as: UTF8.self)
            let lines = prefix.split(separator: "\n", omittingEmptySubsequences: false)
            let column = (lines.last?.unicodeScalars.count ?? 0) + 1
            throw .yaml(YAMLError("the file is not valid UTF-8 (byte \(offset)); save it as UTF-8 text",
                                  at: Mark(line: lines.count, column: column), in: source))
        }
        do {
            return try parse(Source(name: name, text: text), defaultName: defaultName, overrides: overrides)
        } catch {
            throw .yaml(error)
        }
    }

    /// Parses and validates a spec held in memory.
    /// - Parameters:
    ///   - source: the YAML text and the name errors use for it.
    ///   - defaultName: the experiment name when the spec sets none (the file's stem).
    ///   - overrides: `key=value` strings, applied after the file.
    public static func parse(_ source: Source, defaultName: String,
                             overrides: [String] = []) throws(YAMLError) -> ExperimentSpec {
        guard let root = try Parser(source).parse() else {
            throw YAMLError("the spec is empty; set at least one parameter, e.g. 'activation: relu'",
                            at: Mark(line: 1, column: 1), in: source)
        }
        guard case .mapping(let top) = root else {
            throw YAMLError("a spec must be a mapping of keys to values, got \(root.kindDescription)",
                            at: root.mark, in: source)
        }
        var nameFromFile = true
        var spec = ExperimentSpec(name: defaultName, summary: nil, dataDirectory: nil, base: RunConfig(), axes: [],
                                  excludes: [], includes: [], repeats: 1, source: source,
                                  sweepMark: top.mark)
        // Every key is read even after a mistake, so one run of the spec reports each (up to
        // `maxReported`) with its position instead of one a time.
        var problems: [YAMLError] = []
        for entry in top.entries {
            let key = entry.key.value
            do throws(YAMLError) {
                switch key {
                case "name":
                    spec.name = try experimentName(entry.value, source)
                    nameFromFile = false
                case "description":
                    guard case .scalar(let s) = entry.value else {
                        throw YAMLError("description must be text, got \(entry.value.kindDescription)",
                                        at: entry.value.mark, in: source)
                    }
                    spec.summary = s.value
                case "data_dir":
                    guard case .scalar(let s) = entry.value, !s.value.isEmpty, !s.isNull else {
                        throw YAMLError("data_dir must be a folder path, got \(entry.value.kindDescription)",
                                        at: entry.value.mark, in: source)
                    }
                    spec.dataDirectory = s.value
                case "slurm":
                    spec.slurm = try SlurmSettings.parse(entry.value, source)
                case "select":
                    spec.selection = try Selection.parse(entry.value, source)
                    spec.selectionMark = entry.value.mark
                case "threads":
                    spec.threads = try Parameter.int(entry.value, source, key: "threads", min: 1, max: 256)
                case "repeats":
                    spec.repeatsMark = entry.value.mark
                    spec.repeats = try Parameter.int(entry.value, source, key: "repeats", min: 1, max: 10_000)
                case "prune":
                    spec.pruning = try Pruning.parse(entry.value, source)
                    spec.pruningMark = entry.value.mark
                case "search":
                    spec.search = try Search.parse(entry.value, source)
                    spec.searchMark = entry.value.mark
                case "seeds":
                    spec.adaptiveSeeds = try AdaptiveSeeds.parse(entry.value, source)
                    spec.adaptiveSeedsMark = entry.value.mark
                case "samples":
                    spec.samplesMark = entry.value.mark
                    spec.samples = try Parameter.int(entry.value, source, key: "samples", min: 1, max: 1_000_000)
                case "sample_seed":
                    spec.sampleSeed = UInt64(try Parameter.int(entry.value, source, key: "sample_seed", min: 0, max: Int.max))
                case "sweep":
                    spec.sweepMark = entry.key.mark
                    (spec.axes, spec.sampled) = try axes(entry.value, source)
                    for axis in spec.axes {
                        for (value, mark) in zip(axis.values, axis.valueMarks) { spec.noteMark(axis.parameter.key, value, mark, source) }
                    }
                case "exclude":
                    spec.excludes = try assignments(entry.value, source, section: "exclude")
                case "include":
                    spec.includes = try assignments(entry.value, source, section: "include")
                    for include in spec.includes {
                        for (parameter, value) in include.values { spec.noteMark(parameter.key, value, include.mark, source) }
                    }
                default:
                    guard let parameter = Parameter.named(key) else {
                        throw unknownKey(entry.key, source,
                                         candidates: Parameter.keys + sectionKeys, in: "a spec")
                    }
                    let value = try parameter.value(from: entry.value, in: source)
                    parameter.set(value, in: &spec.base)
                    spec.baseKeys.insert(key)
                    spec.noteMark(key, value, entry.value.mark, source)
                }
            } catch {
                problems.append(error)
            }
        }
        if nameFromFile, let problem = nameProblem(defaultName) {
            throw YAMLError("the experiment is named after the file, '\(defaultName)', but \(problem); "
                + "rename the file or set 'name:'", at: Mark(line: 1, column: 1), in: source)
        }
        for (number, text) in overrides.enumerated() {
            do throws(YAMLError) {
                try spec.apply(override: text, number: number + 1)
            } catch {
                problems.append(error)
            }
        }
        if var first = problems.first {
            first.others = Array(problems.dropFirst().prefix(maxReported - 1))
            first.unreported = max(0, problems.count - maxReported)
            throw first
        }
        return spec
    }

    /// Applies one `--set key=value`: the key becomes that fixed value, and stops being an axis;
    /// or, given a list (`key=[a,b]`), an axis over those values.
    /// - Throws: `YAMLError` rendered against the override's own text.
    mutating func apply(override text: String, number: Int) throws(YAMLError) {
        let source = Source(name: "--set", text: text)
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw YAMLError("an override must be key=value, e.g. --set dropout=0.2",
                            at: Mark(line: 1, column: 1), in: source)
        }
        let key = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        let valueText = String(text[text.index(after: equals)...])
        let offset = text[...equals].unicodeScalars.count
        guard let parameter = Parameter.named(key) else {
            throw Self.unknownKey(.init(key, mark: Mark(line: 1, column: 1)), source,
                             candidates: Parameter.keys, in: "--set")
        }
        let valueSource = Source(name: "--set", text: valueText)
        let parsed: Node?
        do throws(YAMLError) {
            parsed = try Parser(valueSource).parse()
        } catch {
            // Errors inside the value: shift them to their column in the whole `key=value`.
            throw YAMLError(error.message, at: Mark(line: 1, column: error.mark.column + offset), in: source)
        }
        guard let node = parsed else {
            throw YAMLError("--set \(key)= needs a value", at: Mark(line: 1, column: offset + 1),
                            in: source)
        }
        // `--set 'lr=[0.1,0.01]'` (Hydra's multirun): a list where the parameter takes one value
        // is a sweep axis over its items, replacing any axis or value the spec gave it
        // (`hidden`, whose value is a list, sweeps over a list of lists).
        if case .sequence(let list) = node, parameter.key != "hidden" || list.items.contains(where: {
            if case .sequence = $0 { true } else { false } }) {
            guard !list.items.isEmpty else {
                throw YAMLError("--set \(key)=[] is an empty sweep; give at least one value",
                                at: Mark(line: 1, column: offset + 1), in: source)
            }
            var values: [ParameterValue] = [], marks: [Mark] = []
            do throws(YAMLError) {
                for item in list.items {
                    let value = try parameter.value(from: item, in: valueSource)
                    if let earlier = value.trainsLike(values) {
                        throw YAMLError("the sweep of \(key) " + value.duplicateMessage(of: earlier), at: item.mark, in: valueSource)
                    }
                    values.append(value)
                    marks.append(Mark(line: 1, column: item.mark.column + offset))
                }
            } catch {
                throw YAMLError(error.message, at: Mark(line: 1, column: error.mark.column + offset), in: source)
            }
            baseKeys.remove(key)
            sampled.removeAll { $0.parameter.key == key }
            let axis = Axis(parameter: parameter, values: values, mark: Mark(line: 1, column: 1), valueMarks: marks)
            if let i = axes.firstIndex(where: { $0.parameter.key == key }) { axes[i] = axis } else { axes.append(axis) }
            valueMarks[key] = zip(values, marks).map { ($0, $1, source) }
            return
        }
        let value: ParameterValue
        do throws(YAMLError) {
            value = try parameter.value(from: node, in: valueSource)
        } catch {
            throw YAMLError(error.message, at: Mark(line: 1, column: error.mark.column + offset), in: source)
        }
        parameter.set(value, in: &base)
        baseKeys.insert(key)
        axes.removeAll { $0.parameter.key == key }
        sampled.removeAll { $0.parameter.key == key }
        valueMarks[key] = [(value, Mark(line: 1, column: offset + 1), source)]
    }

    // MARK: - Sections

    /// Most mistakes of one spec reported at once; the rest are counted.
    public static let maxReported = 20

    /// Longest experiment name: a folder name, with room for the paths built under it.
    public static let maxNameLength = 100
    /// Largest spec file read.
    public static let maxFileBytes = 4 << 20

    /// Why `name` cannot name an experiment's folder, or nil when it can.
    static func nameProblem(_ name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        if name.isEmpty || !name.allSatisfy(allowed.contains) || name.hasPrefix(".") {
            return "a name is a folder name of letters, digits, '.', '_' or '-', not starting with '.'"
        }
        if name.count > maxNameLength {
            return "a name is at most \(maxNameLength) characters long, and this one has \(name.count)"
        }
        return nil
    }

    private static func experimentName(_ node: Node, _ source: Source) throws(YAMLError) -> String {
        guard case .scalar(let s) = node, !s.isNull, nameProblem(s.value) == nil || s.value.count > maxNameLength else {
            let got = node.scalar.map { "'\($0.shortValue)'" } ?? node.kindDescription
            throw YAMLError("name must be a folder name of letters, digits, '.', '_' or '-', got \(got)",
                            at: node.mark, in: source)
        }
        if s.value.count > maxNameLength {
            throw YAMLError("name must be at most \(maxNameLength) characters (it names a folder), got one of \(s.value.count)",
                            at: node.mark, in: source)
        }
        return s.value
    }

    /// The sampled parameters of a spec's text, read without the rest of it (no data file is
    /// opened): what a report needs of an archived spec whose data may have moved since.
    public static func sampledAxes(of source: Source) throws(YAMLError) -> [SampledAxis] {
        guard let root = try Parser(source).parse(), case .mapping(let top) = root,
              let sweep = top.entries.first(where: { $0.key.value == "sweep" })?.value else { return [] }
        return try axes(sweep, source).1
    }

    private static func axes(_ node: Node, _ source: Source) throws(YAMLError) -> ([Axis], [SampledAxis]) {
        guard case .mapping(let map) = node else {
            throw YAMLError("sweep must map parameters to lists of values, e.g. 'dropout: [0.0, 0.5]'",
                            at: node.mark, in: source)
        }
        var axes: [Axis] = []
        var sampled: [SampledAxis] = []
        for entry in map.entries {
            guard let parameter = Parameter.named(entry.key.value) else {
                throw unknownKey(entry.key, source, candidates: Parameter.keys, in: "sweep")
            }
            if Distribution.isDistribution(entry.value) {
                sampled.append(SampledAxis(parameter: parameter,
                                           distribution: try Distribution.parse(entry.value, for: parameter, source)))
                continue
            }
            guard case .sequence(let list) = entry.value else {
                throw YAMLError("sweep axis '\(parameter.key)' must be a list of values, e.g. "
                    + "[\(parameter.read(RunConfig()).json)]; got \(entry.value.kindDescription)",
                    at: entry.value.mark, in: source)
            }
            guard !list.items.isEmpty else {
                throw YAMLError("sweep axis '\(parameter.key)' is empty; give at least one value",
                                at: entry.value.mark, in: source)
            }
            var values: [ParameterValue] = []
            var marks: [Mark] = []
            for item in list.items {
                let value = try parameter.value(from: item, in: source)
                if let earlier = value.trainsLike(values) {
                    throw YAMLError("sweep axis '\(parameter.key)' " + value.duplicateMessage(of: earlier),
                                    at: item.mark, in: source)
                }
                values.append(value)
                marks.append(item.mark)
            }
            axes.append(Axis(parameter: parameter, values: values, mark: entry.key.mark, valueMarks: marks))
        }
        return (axes, sampled)
    }

    private static func assignments(_ node: Node, _ source: Source,
                                    section: String) throws(YAMLError) -> [Assignment] {
        guard case .sequence(let list) = node else {
            throw YAMLError("\(section) must be a list of mappings, e.g. '- {activation: relu, dropout: 0.5}'",
                            at: node.mark, in: source)
        }
        var result: [Assignment] = []
        for item in list.items {
            guard case .mapping(let map) = item, !map.entries.isEmpty else {
                throw YAMLError("each \(section) entry must be a non-empty mapping of parameters, "
                    + "got \(item.kindDescription)", at: item.mark, in: source)
            }
            var values: [(Parameter, ParameterValue)] = []
            for entry in map.entries {
                guard let parameter = Parameter.named(entry.key.value) else {
                    throw unknownKey(entry.key, source, candidates: Parameter.keys, in: section)
                }
                values.append((parameter, try parameter.value(from: entry.value, in: source)))
            }
            result.append(Assignment(values: values, mark: item.mark))
        }
        return result
    }

    private static func unknownKey(_ key: Node.Scalar, _ source: Source, candidates: [String],
                                   in place: String) -> YAMLError {
        YAMLError("unknown key '\(key.value)' in \(place)" + Suggestion.hint(for: key.value, in: candidates),
                  at: key.mark, in: source)
    }

    /// Byte offset of the first byte that breaks UTF-8 decoding.
    private static func firstInvalidUTF8(_ data: Data) -> Int {
        var iterator = data.makeIterator()
        var decoder = UTF8()
        var offset = 0, good = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let s): offset += String(s).utf8.count; good = offset
            case .emptyInput: return good
            case .error: return good
            }
        }
    }
}
