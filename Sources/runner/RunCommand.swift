import ArgumentParser
import Datasets
import Experiments
import Foundation
import MLP
import Results

/// `runner SPEC...`: train every run of each spec.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train every run of each spec (the default command).",
        discussion: """
            Results go to RESULTS/<experiment>/<run-id>/ (config.json, metrics.csv, status.json).
            Runs already done with the same config are skipped; --force trains them again.
            """)

    @Argument(help: "Experiment specs (YAML).")
    var specs: [String]

    @OptionGroup var options: SpecOptions

    @Option(help: ArgumentHelp("Folder holding the datasets (default: $RUNNER_DATA_DIR, the spec's data_dir, or data).",
                               valueName: "dir"))
    var dataDir: String?

    @Option(help: ArgumentHelp("Folder the results go to.", valueName: "dir"))
    var results: String = "results"

    @Flag(help: "Train runs again even when their results are complete.")
    var force = false

    func validate() throws {
        guard !specs.isEmpty else { throw ValidationError("give at least one spec, e.g. experiments/relu_dropout.yaml") }
    }

    func run() throws {
        // Plan everything first: a broken spec stops the command before anything is written.
        let plans = try specs.map { path in (path, try options.plan(path), try options.spec(path)) }
        BLAS.setThreads(1)
        var datasets: [String: MNIST.Split] = [:]
        var failures: [String] = []
        for (path, plan, spec) in plans {
            let store = RunStore(resultsRoot: results, experiment: plan.experiment)
            Output.out(plan.table(specPath: path))
            let directory = MNIST.directory(option: dataDir, spec: spec.dataDirectory)
            for run in plan.runs {
                let label = "[\(plan.experiment) \(run.index + 1)/\(plan.runs.count) \(run.name)]"
                if !force && store.isDone(run) {
                    Output.out("\(label) done already (\(store.path(of: run))); skipping\n")
                    continue
                }
                let name = run.config.dataset.rawValue
                let data: MNIST.Split
                if let cached = datasets[name] {
                    data = cached
                } else {
                    do {
                        data = try MNIST.load(name, directory: directory)
                    } catch {
                        Output.error(error.description)
                        throw ExitCode(3)
                    }
                    datasets[name] = data
                }
                do {
                    let recorder = try store.begin(run)
                    let outcome = try Training.train(run, data: data, recorder: recorder) { line in
                        Output.out("\(label) \(line)\n")
                    }
                    if case .diverged(let epoch) = outcome {
                        Output.error("\(label) diverged in epoch \(epoch) (loss is not finite)")
                        failures.append(run.name)
                    }
                } catch {
                    Output.error(error.description)
                    throw ExitCode(4)
                }
            }
        }
        if !failures.isEmpty {
            Output.error("\(failures.count) run(s) did not finish: " + failures.joined(separator: "; "))
            throw ExitCode(1)
        }
    }
}
