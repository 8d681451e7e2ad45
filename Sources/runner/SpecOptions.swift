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
        return (spec, try plan(spec, seedCounts: [:]))
    }

    /// A spec's plan, with `seeds:` each configuration's seeds so far (a later round's), or
    /// prints the error and exits with 2.
    func plan(_ spec: ExperimentSpec, seedCounts: [RunConfig: Int]) throws -> Plan {
        do throws(YAMLError) {
            return try Plan(spec, maxRuns: maxRuns, memoryLimit: maxMemory?.bytes ?? Plan.defaultMemoryLimit, seedCounts: seedCounts)
        } catch {
            Output.error(SpecError.yaml(error).description)
            throw ExitStatus.invalidInput.code
        }
    }
}

extension SpecOptions {
    /// One spec's claim on its experiment's folder.
    struct Claim {
        var store: RunStore
        var spec: ExperimentSpec
        var specPath: String
        /// The spec's file, absolute and with links resolved: the same file however it was named.
        var path: String { URL(fileURLWithPath: specPath).standardizedFileURL.resolvingSymlinksInPath().path }
        /// The text the plan was built from (not the file read again, which may have changed since).
        var bytes: [UInt8] { Array(spec.source.text.utf8) }
    }

    /// Records each spec in its experiment's folder (`specs/`), or stops with status 2, having
    /// written nothing, when a different spec file already ran under the same experiment name
    /// there or claims it in this same command. The check and the record are one step under
    /// the results folder's lock (`FolderLock`), so two runners started together with two
    /// specs of one name cannot both pass it.
    static func claim(_ claims: [Claim], resultsRoot: String) throws {
        // Within this command: two spec files, two texts, one folder.
        for (i, later) in claims.enumerated() {
            for earlier in claims[..<i] where earlier.store.directory == later.store.directory
                && earlier.path != later.path && ShortDigest.of(earlier.bytes) != ShortDigest.of(later.bytes) {
                Output.error("\(later.specPath): error: \(earlier.specPath) and this spec are different specs with the same "
                    + "experiment name, which would share \(later.store.directory); give one its own 'name:', or run them with "
                    + "--results DIR each")
                throw ExitStatus.invalidInput.code
            }
        }
        let lock: FolderLock
        do throws(AtomicFile.WriteError) {
            lock = try FolderLock.acquire(resultsRoot) {
                Output.error("runner: waiting for another runner that is claiming an experiment in \(resultsRoot)")
            }
        } catch {
            Output.error(error.description)
            throw ExitStatus.unwritable.code
        }
        try withExtendedLifetime(lock) {
            for claim in claims {
                if let other = SpecArchive(store: claim.store).conflict(path: claim.path, bytes: claim.bytes) {
                    Output.error("\(claim.specPath): error: \(claim.store.directory) already holds the results of \(other.path), "
                        + "a different spec with the same experiment name; give this one its own 'name:', or use --results DIR")
                    throw ExitStatus.invalidInput.code
                }
            }
            // Checked, still holding the lock (a test stops here to race a second runner).
            TestPoint.reached("claim")
            for claim in claims {
                do throws(AtomicFile.WriteError) {
                    try SpecArchive(store: claim.store).record(path: claim.path, bytes: claim.bytes)
                } catch {
                    Output.error(error.description)
                    throw ExitStatus.unwritable.code
                }
            }
        }
    }
}
