import ArgumentParser
import Datasets
import Experiments
import Foundation
import MLP
import Results
import Reporting
import Training
import Vocabulary

/// `runner predict RUN_DIR FILE`: a finished run's trained network (model.safetensors) applied
/// to new examples, scaled as the run's training examples were (scaling.json); writes each
/// example's predicted class and the probability of every class.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Apply a finished run's trained network to new examples: class and probabilities per example.",
        discussion: """
            RUN_DIR is one run's folder (results/NAME/ID). FILE holds examples as the run was \
            trained on them: a CSV with the training file's columns (the label column may be \
            left out), an NPY array (examples, features), or an IDX file of images (MNIST's form). \
            Writes CSV: index, prediction (the class, by name when the classes had names), then \
            one probability column per class. Exit 2 for a folder without a model, 3 for a bad FILE.
            """)

    @Argument(help: "A finished run's folder, e.g. results/relu_dropout/1a2b3c4d5e6f.")
    var runDirectory: String

    @Argument(help: "The examples: .csv, .npy, or an IDX file of images.")
    var file: String

    @Option(help: "Write the predictions here instead of to standard output.")
    var output: String?

    func run() throws {
        let dir = runDirectory.hasSuffix("/") ? String(runDirectory.dropLast()) : runDirectory
        guard let record = RunRecord.read(dir + "/" + RunStore.configFile) else {
            Output.error("\(dir): error: no config.json of a run here; give one run's folder, results/NAME/ID")
            throw ExitStatus.invalidInput.code
        }
        let model: ModelFile.Loaded
        do {
            guard let bytes = RunStore.bytes(of: dir + "/" + ModelFile.name) else {
                Output.error("\(dir)/\(ModelFile.name): error: no trained model; only runs that finished (done or stopped) keep one")
                throw ExitStatus.invalidInput.code
            }
            model = try ModelFile.load(try SafeTensors(bytes: bytes), config: record.config)
        } catch let error as SafeTensors.ReadError {
            Output.error("\(dir)/\(ModelFile.name): error: \(error.message)")
            throw ExitStatus.invalidInput.code
        }
        let trainer = Trainer(shape: model.shape, hyper: try TrainingExecutor.hyperparameters(record.config))
        guard trainer.load(parameters: model.parameters, runningStatistics: model.runningStatistics) else {
            Output.error("\(dir)/\(ModelFile.name): error: its tensors do not fit the run's network")
            throw ExitStatus.invalidInput.code
        }
        var files: FileDataset?
        if case .files(let f) = record.config.dataset { files = f }
        let saved = Scaling.read(dir + "/" + RunStore.scalingFile)
        let examples: LabeledImages
        do throws(DataError) {
            examples = try FileDatasetLoader.examples(file, like: files)
        } catch {
            Output.error(error.description)
            throw ExitStatus.dataMissing.code
        }
        guard examples.pixelsPerImage == model.shape.sizes[0] else {
            Output.error("\(file): error: examples have \(examples.pixelsPerImage) features; the run's network takes "
                + "\(model.shape.sizes[0])")
            throw ExitStatus.dataMissing.code
        }
        let outputs = examples.isFloat
            ? trainer.predict(features: examples.features, shift: saved?.scaling.shift ?? [], divisor: saved?.scaling.divisor ?? [])
            : trainer.predict(pixels: examples.pixels)
        let classes = model.shape.sizes.last!
        var text: String
        if record.config.task == .regression {
            // The predicted values, one column per target, named as the training file's label columns.
            let columns = files?.labelColumns ?? []
            let names = files?.format == .csv && columns.count == classes ? columns
                : classes == 1 ? ["y"] : (0..<classes).map { "y_\($0)" }
            text = "index," + names.map(Summary.csvField).joined(separator: ",") + "\n"
            for i in 0..<examples.count {
                text += "\(i)," + outputs[(i * classes)..<((i + 1) * classes)].map { String(format: "%.8g", $0) }.joined(separator: ",") + "\n"
            }
        } else {
            let names = saved?.classNames ?? (0..<classes).map(String.init)
            text = "index,prediction," + names.map { Summary.csvField("p_" + $0) }.joined(separator: ",") + "\n"
            for i in 0..<examples.count {
                let row = Array(outputs[(i * classes)..<((i + 1) * classes)])
                let best: Int = row.indices.max { row[$0] < row[$1] }!
                let cells: [String] = row.map { String(format: "%.6g", $0) }
                text += "\(i),\(Summary.csvField(names[best]))," + cells.joined(separator: ",") + "\n"
            }
        }
        if let output {
            do throws(AtomicFile.WriteError) { try AtomicFile.write(text, to: output) } catch {
                Output.error(error.description)
                throw ExitStatus.unwritable.code
            }
        } else {
            Output.out(text)
        }
    }
}
