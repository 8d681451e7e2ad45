import ArgumentParser
import Foundation

/// Which runs of the plan `--index` selects: numbers and ranges (`3`, `0-7`, `0,2,5-9`), or
/// `env` for the array index a batch scheduler sets in the task's environment.
enum RunIndex: ExpressibleByArgument, Equatable {
    case numbers([Int])
    case environment

    /// Most indices one `--index` list may name.
    static let maxListed = 100_000

    /// The variables `--index env` reads, in this order, and the first index each scheduler
    /// hands out: 0-based ones are used as they are, 1-based ones (Grid Engine's `-t 1-N`,
    /// LSF's `name[1-N]`, which cannot start at 0) have 1 subtracted.
    static let variables: [(name: String, base: Int, scheduler: String)] = [
        ("SLURM_ARRAY_TASK_ID", 0, "Slurm"),
        ("SGE_TASK_ID", 1, "Sun/Son of/Univa Grid Engine"),
        ("PBS_ARRAY_INDEX", 0, "PBS Pro / OpenPBS"),
        ("LSB_JOBINDEX", 1, "IBM LSF"),
        ("JOB_COMPLETION_INDEX", 0, "Kubernetes indexed Job"),
        ("AWS_BATCH_JOB_ARRAY_INDEX", 0, "AWS Batch"),
    ]

    init?(argument: String) {
        if argument == "env" {
            self = .environment
            return
        }
        var numbers: [Int] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), let low = Int(bounds[0]), low >= 0,
                  let high = bounds.count == 2 ? Int(bounds[1]) : low, high >= low,
                  high - low < RunIndex.maxListed - numbers.count else { return nil }
            numbers += low...high
        }
        guard !numbers.isEmpty else { return nil }
        self = .numbers(Array(Set(numbers)).sorted())
    }

    static var defaultValueDescription: String { "I, a list such as 0,2,5-9, or env" }

    /// The 0-based plan indices, ascending.
    /// - Throws: a one-line message when no scheduler variable is set or it is not a number.
    func resolve(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(IndexError) -> [Int] {
        switch self {
        case .numbers(let n): return n
        case .environment:
            for v in RunIndex.variables {
                guard let text = environment[v.name], !text.isEmpty else { continue }
                guard let n = Int(text), n >= v.base else {
                    throw IndexError(message: "--index env: \(v.name)=\(text) is not a valid \(v.base)-based array index")
                }
                return [n - v.base]
            }
            throw IndexError(message: "--index env: none of " + RunIndex.variables.map(\.name).joined(separator: ", ")
                + " is set; run inside a job array or give the index as a number")
        }
    }

    struct IndexError: Error { var message: String }
}
