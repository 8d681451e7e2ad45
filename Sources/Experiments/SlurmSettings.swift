import SpecYAML

/// Resources for running a spec's sweep as a Slurm job array (the spec's `slurm:` section).
/// None of them changes a run's numbers, so none is part of a run id.
public struct SlurmSettings: Sendable, Equatable {
    /// Wall-clock limit per task, as Slurm writes it (`30:00`, `2:00:00`, `1-00:00:00`).
    public var time: String?
    /// CPUs per task (each run trains on one core; more only helps BLAS-bound evaluation).
    public var cpus: Int?
    /// Memory per task, e.g. `2G`, `1500M`.
    public var mem: String?
    public var partition: String?
    public var account: String?
    /// Most tasks of the array running at once (`%K` in `--array`).
    public var throttle: Int?
    /// Runs each task trains (`cpus` at a time); more than 1 packs short runs into fewer tasks.
    public var runsPerTask: Int?

    public init() {}

    /// The keys of the `slurm:` section.
    public static let keys = ["time", "cpus", "mem", "partition", "account", "throttle", "runs_per_task"]

    /// Reads the `slurm:` section.
    /// - Throws: `YAMLError` at an unknown key or a malformed value.
    static func parse(_ node: Node, _ source: Source) throws(YAMLError) -> SlurmSettings {
        guard case .mapping(let map) = node else {
            throw YAMLError("slurm must be a mapping such as '{time: \"1:00:00\", mem: 2G}', got \(node.kindDescription)",
                            at: node.mark, in: source)
        }
        var s = SlurmSettings()
        for entry in map.entries {
            let value = entry.value
            switch entry.key.value {
            case "time": s.time = try text(value, source, key: "slurm.time", pattern: isTime,
                                           expected: "a time limit such as 30:00, 2:00:00 or 1-00:00:00")
            case "mem": s.mem = try text(value, source, key: "slurm.mem", pattern: isMemory,
                                         expected: "a memory size such as 2G or 1500M")
            case "partition": s.partition = try text(value, source, key: "slurm.partition", pattern: isName,
                                                     expected: "a partition name")
            case "account": s.account = try text(value, source, key: "slurm.account", pattern: isName,
                                                 expected: "an account name")
            case "cpus": s.cpus = try Parameter.int(value, source, key: "slurm.cpus", min: 1, max: 1024)
            case "throttle": s.throttle = try Parameter.int(value, source, key: "slurm.throttle", min: 1, max: 100_000)
            case "runs_per_task": s.runsPerTask = try Parameter.int(value, source, key: "slurm.runs_per_task", min: 1, max: 100_000)
            default:
                throw YAMLError("unknown key '\(entry.key.value)' in slurm"
                    + Suggestion.hint(for: entry.key.value, in: keys), at: entry.key.mark, in: source)
            }
        }
        return s
    }

    private static func text(_ node: Node, _ source: Source, key: String, pattern: (String) -> Bool,
                             expected: String) throws(YAMLError) -> String {
        guard case .scalar(let s) = node, !s.isNull, pattern(s.value) else {
            let got = node.scalar.map { "'\($0.shortValue)'" } ?? node.kindDescription
            throw YAMLError("\(key) must be \(expected), got \(got)", at: node.mark, in: source)
        }
        return s.value
    }

    /// `MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`.
    public static func isTime(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else { return false }
        if parts.count == 2, Int(parts[0]) == nil { return false }
        let clock = parts.last!.split(separator: ":", omittingEmptySubsequences: false)
        return (1...3).contains(clock.count) && clock.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && Int($0) != nil }
    }

    public static func isMemory(_ s: String) -> Bool {
        var digits = Substring(s)
        if let last = digits.last, "KMGTkmgt".contains(last) { digits = digits.dropLast() }
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    public static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }
}
