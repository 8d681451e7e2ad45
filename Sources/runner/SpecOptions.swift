import ArgumentParser
import Experiments
import SpecYAML

/// The options every command that reads a spec shares.
struct SpecOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a parameter, as key=value with a YAML value (repeatable); the key stops being swept.",
        valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: "Refuse specs that expand to more runs than this.")
    var maxRuns: Int = Plan.defaultMaxRuns

    func validate() throws {
        guard maxRuns >= 1 else { throw ValidationError("--max-runs must be at least 1") }
    }

    /// Loads a spec with the overrides applied, or prints its error and exits with status 2.
    func spec(_ path: String) throws -> ExperimentSpec {
        do throws(SpecError) {
            return try ExperimentSpec.load(path: path, overrides: overrides)
        } catch {
            Output.error(error.description)
            throw ExitCode(2)
        }
    }

    /// Loads and expands a spec, or prints its error and exits with status 2.
    func plan(_ path: String) throws -> Plan {
        do throws(SpecError) {
            let spec = try ExperimentSpec.load(path: path, overrides: overrides)
            do throws(YAMLError) {
                return try Plan(spec, maxRuns: maxRuns)
            } catch {
                throw SpecError.yaml(error)
            }
        } catch {
            Output.error(error.description)
            throw ExitCode(2)
        }
    }
}
