import ArgumentParser
import Experiments
import Foundation
import Results
import SpecYAML

/// The options every command that reads a spec shares.
struct SpecOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a parameter, as key=value with a YAML value (repeatable); the key stops being swept.",
        valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: "Refuse specs that expand to more runs than this.")
    var maxRuns: Int = Plan.defaultMaxRuns

    @Option(help: ArgumentHelp("Refuse runs estimated to need more memory than this, e.g. 64G (default: this machine's memory).",
                               valueName: "size"))
    var maxMemory: MemorySize?

    func validate() throws {
        guard maxRuns >= 1 else { throw ValidationError("--max-runs must be at least 1") }
    }

    /// Loads a spec with the overrides applied, or prints its error and exits with status 2.
    func spec(_ path: String) throws -> ExperimentSpec {
        do throws(SpecError) {
            return try ExperimentSpec.load(path: path, overrides: overrides)
        } catch {
            Output.error(error.description)
            throw ExitStatus.invalidInput.code
        }
    }

    /// Loads and expands a spec, or prints its error and exits with status 2.
    func plan(_ path: String) throws -> Plan {
        try load(path).plan
    }

    /// Loads a spec (with the overrides) and expands it, or prints the error and exits with 2.
    func load(_ path: String) throws -> (spec: ExperimentSpec, plan: Plan) {
        let spec = try self.spec(path)
        do throws(YAMLError) {
            return (spec, try Plan(spec, maxRuns: maxRuns, memoryLimit: maxMemory?.bytes ?? Plan.defaultMemoryLimit))
        } catch {
            Output.error(SpecError.yaml(error).description)
            throw ExitStatus.invalidInput.code
        }
    }
}

extension SpecOptions {
    /// Records the spec in its experiment's folder (`specs/`), or stops with status 2 when a
    /// different spec file already ran under the same experiment name there.
    /// The text archived is the one the plan was built from (not the file read again, which
    /// may have changed since).
    static func claim(_ store: RunStore, spec: ExperimentSpec, specPath: String) throws {
        let archive = SpecArchive(store: store)
        let path = URL(fileURLWithPath: specPath).standardizedFileURL.resolvingSymlinksInPath().path
        let bytes = Array(spec.source.text.utf8)
        if let other = archive.conflict(path: path, bytes: bytes) {
            Output.error("\(specPath): error: \(store.directory) already holds the results of \(other.path), a different "
                + "spec with the same experiment name; give this one its own 'name:', or use --results DIR")
            throw ExitStatus.invalidInput.code
        }
        do throws(AtomicFile.WriteError) {
            try archive.record(path: path, bytes: bytes)
        } catch {
            Output.error(error.description)
            throw ExitStatus.unwritable.code
        }
    }
}
