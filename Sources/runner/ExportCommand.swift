import ArgumentParser
import Export
import Foundation
import Results

/// `runner export RESULTS --format tensorboard|mlflow --output DIR`: an experiment's runs (or
/// every experiment under a results folder) in a format other tools open: TensorBoard event
/// files (`tensorboard --logdir DIR`) or an MLflow file store (`mlflow ui --backend-store-uri DIR`).
struct ExportCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case tensorboard, mlflow
    }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export runs for TensorBoard (event files) or MLflow (a file store).",
        discussion: """
            tensorboard: DIR/EXPERIMENT/RUN/events.out.tfevents.*: a scalar per epoch for every \
            metrics.csv column (tag = column, step = epoch), and the HParams plugin's data (each \
            run's parameters, its seed group, its status; the experiment's varying parameters and \
            metrics). Open with `tensorboard --logdir DIR`. \
            mlflow: DIR as an MLflow file store (mlruns/): an experiment per runner experiment, a \
            run per runner run with every parameter, every metric's history by epoch, and tags \
            (runner.run_id, runner.group, runner.status, runner.commit). Open with \
            `mlflow ui --backend-store-uri DIR`, or read with mlflow.search_runs. \
            Exporting again writes the same files; only the experiment's own files are written.
            """)

    @Argument(help: "An experiment's results folder (results/NAME), or a folder of them (results).")
    var directory: String

    @Option(help: ArgumentHelp("The format.", valueName: Format.allCases.map(\.rawValue).joined(separator: "|")))
    var format: Format

    @Option(help: ArgumentHelp("The folder to export into (created if need be).", valueName: "dir"))
    var output: String

    func run() throws {
        for dir in try SummarizeCommand.experiments(in: directory) {
            let runs = ExportedRuns(RunStore(directory: dir))
            do {
                switch format {
                case .tensorboard:
                    let files = try TensorBoardExport(runs).write(to: output)
                    Output.out("\(runs.experiment): \(runs.runs.count) runs to \(output)/\(runs.experiment) (\(files.count) event files)\n")
                case .mlflow:
                    let folder = try MLflowExport(runs).write(to: output)
                    Output.out("\(runs.experiment): \(runs.runs.count) runs to the MLflow experiment \(folder)\n")
                }
            } catch {
                Output.error("runner export: error: \(error)")
                throw ExitStatus.unwritable.code
            }
        }
    }
}
