/// A dataset file that is missing or not what it should be. Renders as one line that names
/// the file, the problem, and the command that fetches a good copy.
public struct DataError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var problem: String
    /// The command that fetches a verified copy, e.g. `runner data fetch mnist`.
    public var fix: String

    public init(path: String, problem: String, fix: String) {
        self.path = path
        self.problem = problem
        self.fix = fix
    }

    public var description: String { "\(path): error: \(problem); run \(fix) to fetch a verified copy" }
}
