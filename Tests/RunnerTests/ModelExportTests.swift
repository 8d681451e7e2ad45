import Foundation
import Testing

/// A finished run keeps its network as model.safetensors; `runner predict` applies it, and
/// PyTorch (Debian's python3-torch, safetensors from PyPI: scripts/test.sh sets them up in
/// .build/pyenv) loads the same file into the nn.Sequential its metadata names and predicts
/// the same class for every example.
@Suite(.serialized) struct ModelExportTests {
    /// A Python with torch and safetensors: $RUNNER_TORCH_PYTHON, else .build/pyenv's.
    static let python: String? = {
        let candidates = [ProcessInfo.processInfo.environment["RUNNER_TORCH_PYTHON"],
                          Binary.repo.appendingPathComponent(".build/pyenv/bin/python").path].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static func checkInPyTorch(run: URL, examples: String, predictions: URL) throws -> (status: Int32, output: String) {
        try Binary.runTool(python!, [Binary.repo.appendingPathComponent("scripts/check-model-in-pytorch.py").path, run.path,
                                     examples, predictions.path])
    }

    func runFolder(_ results: URL, _ experiment: String) throws -> URL {
        let exp = results.appendingPathComponent(experiment)
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: exp.path)
            .first { $0.count == 12 && !$0.contains(".") })
        return exp.appendingPathComponent(id)
    }

    /// MNIST with BatchNorm, ReLU and dropout: predict's classes give the run's own test
    /// accuracy, and PyTorch agrees on every one of the 10,000 test images.
    @Test(.enabled(if: python != nil, "no Python with torch and safetensors (scripts/test.sh sets up .build/pyenv)"))
    func aBatchNormMNISTModelLoadsInPyTorchAndPredictsAlike() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "name: bn\nepochs: 2\nhidden: [32, 16]\ntrain_subset: 2000\ntest_subset: 500\nbatch_norm: true\nactivation: relu\n"
            .write(to: dir.appendingPathComponent("bn.yaml"), atomically: true, encoding: .utf8)
        #expect(try Binary.run(["bn.yaml", "-q", "--data-dir", TrainCommandTests.dataDir], in: dir).status == 0)
        let run = try runFolder(dir.appendingPathComponent("results"), "bn")
        let images = TrainCommandTests.dataDir + "/mnist/t10k-images-idx3-ubyte"
        let predictions = dir.appendingPathComponent("preds.csv")
        let r = try Binary.run(["predict", run.path, images, "--output", predictions.path])
        #expect(r.status == 0, "\(r.stderr)")
        // The first 500 predictions against the labels: the run's final test accuracy exactly.
        let rows = try String(contentsOf: predictions, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(rows.count == 10_000)
        let labels = try Data(contentsOf: URL(fileURLWithPath: TrainCommandTests.dataDir + "/mnist/t10k-labels-idx1-ubyte")).dropFirst(8)
        let correct = zip(rows.prefix(500), labels.prefix(500)).filter { Int($0.0.split(separator: ",")[1]) == Int($0.1) }.count
        let metrics = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
        let accuracy = Double(metrics.split(separator: "\n").last!.split(separator: ",")[3])!
        #expect(abs(Double(correct) / 5 - accuracy) < 1e-9, "\(correct) of 500 vs \(accuracy)%")
        let check = try Self.checkInPyTorch(run: run, examples: images, predictions: predictions)
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("\"agree\": 10000"), "\(check.output)")
    }

    /// A CSV of named classes, standardised: PyTorch, given the run's scaling.json, predicts
    /// the same names.
    @Test(.enabled(if: python != nil, "no Python with torch and safetensors (scripts/test.sh sets up .build/pyenv)"))
    func aScaledCSVModelLoadsInPyTorchAndPredictsTheSameNames() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileDatasetCLITests.csv(rows: 300, offset: 0).write(to: dir.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        try FileDatasetCLITests.csv(rows: 90, offset: 1000).write(to: dir.appendingPathComponent("test.csv"), atomically: true, encoding: .utf8)
        try "name: pets\nepochs: 3\nhidden: [8]\nbatch_size: 16\nlr: 0.1\nactivation: tanh\ndropout: 0.2\ninput_dropout: 0.1\nmax_norm: 2\n"
            .appending("dataset: {train: train.csv, test: test.csv, label: kind, scale: standardize}\n")
            .write(to: dir.appendingPathComponent("pets.yaml"), atomically: true, encoding: .utf8)
        #expect(try Binary.run(["pets.yaml", "-q"], in: dir).status == 0)
        let run = try runFolder(dir.appendingPathComponent("results"), "pets")
        let predictions = dir.appendingPathComponent("preds.csv")
        let r = try Binary.run(["predict", run.path, dir.appendingPathComponent("test.csv").path, "--output", predictions.path])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: predictions, encoding: .utf8)
        #expect(text.hasPrefix("index,prediction,p_cat,p_dog\n"), "\(text.prefix(200))")
        let check = try Self.checkInPyTorch(run: run, examples: dir.appendingPathComponent("test.csv").path, predictions: predictions)
        #expect(check.status == 0 && check.output.contains("\"agree\": 90"), "\(check.output)")
    }

    /// With `select:`, the model is the selected epoch's network: its metadata names the
    /// epoch the summary selects, and its predictions give that epoch's test accuracy. (Selecting
    /// the lowest validation accuracy makes the chosen epoch an early one, never the last.)
    @Test func aSelectingSpecKeepsTheSelectedEpochsNetwork() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ("name: sel\nepochs: 4\nhidden: [16]\ntrain_subset: 1000\ntest_subset: 300\nvalidation: 500\nactivation: relu\n"
            + "lr: 0.05\nselect: {metric: val_accuracy, goal: min}\n")
            .write(to: dir.appendingPathComponent("sel.yaml"), atomically: true, encoding: .utf8)
        #expect(try Binary.run(["sel.yaml", "-q", "--data-dir", TrainCommandTests.dataDir], in: dir).status == 0)
        let run = try runFolder(dir.appendingPathComponent("results"), "sel")
        let rows = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let validation = rows.map { Double($0[7])! }
        let selected = validation.firstIndex(of: validation.min()!)! + 1
        #expect(selected < 4, "\(validation)")
        let model = try Data(contentsOf: run.appendingPathComponent("model.safetensors"))
        let header = String(decoding: model.dropFirst(8).prefix(4000), as: UTF8.self)
        #expect(header.contains("\"runner.epoch\":\"\(selected)\"") && header.contains("val_accuracy (min)"), "\(header.prefix(400))")
        let predictions = dir.appendingPathComponent("preds.csv")
        let images = TrainCommandTests.dataDir + "/mnist/t10k-images-idx3-ubyte"
        #expect(try Binary.run(["predict", run.path, images, "--output", predictions.path]).status == 0)
        let predicted = try String(contentsOf: predictions, encoding: .utf8).split(separator: "\n").dropFirst().prefix(300)
        let labels = try Data(contentsOf: URL(fileURLWithPath: TrainCommandTests.dataDir + "/mnist/t10k-labels-idx1-ubyte")).dropFirst(8)
        let correct = zip(predicted, labels.prefix(300)).filter { Int($0.0.split(separator: ",")[1]) == Int($0.1) }.count
        #expect(abs(Double(correct) / 3 - Double(rows[selected - 1][3])!) < 1e-9, "\(correct) of 300 vs \(rows[selected - 1])")
    }

    /// predict's bad input: a folder with no model is exit 2, a file of the wrong width exit 3.
    @Test func predictRefusesWhatItCannotUse() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let none = try Binary.run(["predict", dir.path, "x.csv"])
        #expect(none.status == 2 && none.stderr.contains("no config.json of a run here"), "\(none.stderr)")
        try "name: tiny\nepochs: 1\nhidden: [4]\ntrain_subset: 100\ntest_subset: 50\n"
            .write(to: dir.appendingPathComponent("tiny.yaml"), atomically: true, encoding: .utf8)
        #expect(try Binary.run(["tiny.yaml", "-q", "--data-dir", TrainCommandTests.dataDir], in: dir).status == 0)
        let run = try runFolder(dir.appendingPathComponent("results"), "tiny")
        try "a,b\n1,2\n".write(to: dir.appendingPathComponent("x.csv"), atomically: true, encoding: .utf8)
        let table = try Binary.run(["predict", run.path, dir.appendingPathComponent("x.csv").path])
        #expect(table.status == 3 && table.stderr.contains("a run on a shipped dataset (mnist, fashion-mnist) takes images"),
                "\(table.stderr)")
        // A network of files given a table of the wrong width.
        try FileDatasetCLITests.csv(rows: 60, offset: 0).write(to: dir.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        try "name: small\nepochs: 1\nhidden: [4]\ndataset: {train: train.csv, test: train.csv, label: kind}\n"
            .write(to: dir.appendingPathComponent("small.yaml"), atomically: true, encoding: .utf8)
        #expect(try Binary.run(["small.yaml", "-q"], in: dir).status == 0)
        let small = try runFolder(dir.appendingPathComponent("results"), "small")
        let wide = try Binary.run(["predict", small.path, dir.appendingPathComponent("x.csv").path])
        #expect(wide.status == 3 && wide.stderr.contains("examples have 2 features; the run's network takes 3"), "\(wide.stderr)")
    }
}
