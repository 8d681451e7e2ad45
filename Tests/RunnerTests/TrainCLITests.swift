import Foundation
import Testing

/// End-to-end training through the built binary on real MNIST (fetched by scripts/setup.sh).
@Suite(.serialized) struct TrainCommandTests {
    static let dataDir = Binary.repo.appendingPathComponent("data").path

    /// A small real-data run: 3000 training images, 1000 test images, 3 epochs of ReLU.
    static let small = ["--set", "activation=relu", "--set", "dropout=0.2", "--set", "epochs=3",
                        "--set", "train_subset=3000", "--set", "test_subset=1000", "--set", "lr=0.05"]

    /// The run folders of an experiment (those holding a config.json).
    func runFolders(_ dir: URL, experiment: String) throws -> [String] {
        let exp = dir.appendingPathComponent(experiment)
        return try FileManager.default.contentsOfDirectory(atPath: exp.path)
            .filter { FileManager.default.fileExists(atPath: exp.appendingPathComponent("\($0)/config.json").path) }
    }

    func metrics(_ dir: URL, experiment: String) throws -> [[String]] {
        let runs = try runFolders(dir, experiment: experiment)
        #expect(runs.count == 1)
        let csv = try String(contentsOf: dir.appendingPathComponent("\(experiment)/\(runs[0])/metrics.csv"), encoding: .utf8)
        return csv.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
    }

    @Test func trainsOnARealSubsetWellBeyondChance() throws {
        let out = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try Binary.run(["experiments/relu_dropout.yaml", "--results", out.path, "--data-dir", Self.dataDir] + Self.small)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try metrics(out, experiment: "relu_dropout")
        #expect(rows.first == ["epoch", "train_loss", "test_loss", "test_accuracy", "train_eval_loss",
                               "train_eval_accuracy", "val_loss", "val_accuracy", "epoch_seconds"])
        #expect(rows.count == 4)
        let accuracy = try #require(Double(rows[3][3]))
        // Chance is 10%; an untrained net scores about that, a broken gradient far below this.
        #expect(accuracy > 85, "final test accuracy \(accuracy)%")
        let losses = rows.dropFirst().map { Double($0[2])! }
        #expect(losses[2] < losses[0])
        let folder = try runFolders(out, experiment: "relu_dropout")[0]
        let status = try String(contentsOf: out.appendingPathComponent("relu_dropout/\(folder)/status.json"), encoding: .utf8)
        #expect(status.contains("\"status\" : \"done\""))
        #expect(status.contains("\"epochs_done\" : 3"))
    }

    @Test func sameSpecAndSeedGiveIdenticalFigures() throws {
        let a = try Binary.temporaryDirectory(), b = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let args = ["experiments/sigmoid_dropout.yaml", "--data-dir", Self.dataDir, "--set", "epochs=2",
                    "--set", "train_subset=2000", "--set", "test_subset=500"]
        #expect(try Binary.run(args + ["--results", a.path]).status == 0)
        #expect(try Binary.run(args + ["--results", b.path]).status == 0)
        let ma = try metrics(a, experiment: "sigmoid_dropout"), mb = try metrics(b, experiment: "sigmoid_dropout")
        // Every column but the wall-clock seconds, bit for bit as printed.
        #expect(ma.map { $0.dropLast() } == mb.map { $0.dropLast() })
        #expect(ma.count == 3)
    }

    /// The engine's own kernels (AVX-512, where the CPU has it) and their naive twin (forced with
    /// RUNNER_KERNELS=naive: plain loops with the same arithmetic) write the same figures, bit for
    /// bit as printed; the BLAS path (RUNNER_KERNELS=blas) rounds in another order and trains to
    /// nearly the same accuracy. Momentum 0.9 so that v * momentum is not exact. On a CPU without
    /// AVX-512 the default is the BLAS path, and only the last comparison applies.
    @Test func kernelPathsWriteTheSameFigures() throws {
        let a = try Binary.temporaryDirectory(), b = try Binary.temporaryDirectory(), c = try Binary.temporaryDirectory()
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(at: d) } }
        let args = ["experiments/relu_dropout.yaml", "--data-dir", Self.dataDir, "--set", "epochs=2",
                    "--set", "train_subset=2000", "--set", "test_subset=500", "--set", "momentum=0.9"]
        #expect(try Binary.run(args + ["--results", a.path]).status == 0)
        #expect(try Binary.run(args + ["--results", b.path], environment: ["RUNNER_KERNELS": "naive"]).status == 0)
        #expect(try Binary.run(args + ["--results", c.path], environment: ["RUNNER_KERNELS": "blas"]).status == 0)
        let ma = try metrics(a, experiment: "relu_dropout"), mb = try metrics(b, experiment: "relu_dropout")
        let mc = try metrics(c, experiment: "relu_dropout")
        #expect(ma.count == 3 && mb.count == 3 && mc.count == 3)
        if try Binary.run(["--version"]).stdout.contains("kernels: AVX-512") {
            #expect(ma.map { $0.dropLast() } == mb.map { $0.dropLast() })
        }
        // Test accuracy after 2 epochs on 500 examples: within 2 points (10 examples) of each other.
        let accuracy = { (m: [[String]]) in Double(m[2][m[0].firstIndex(of: "test_accuracy")!])! }
        #expect(abs(accuracy(ma) - accuracy(mc)) <= 2)
    }

    @Test func finishedRunsAreSkipped() throws {
        let out = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let args = ["experiments/relu_dropout.yaml", "--results", out.path, "--data-dir", Self.dataDir,
                    "--set", "epochs=1", "--set", "train_subset=500", "--set", "test_subset=100"]
        #expect(try Binary.run(args).status == 0)
        let again = try Binary.run(args)
        #expect(again.status == 0)
        #expect(again.stdout.contains("done already"))
    }

    /// Corrupt data files through the binary: one line naming the file and the fix, exit 3,
    /// nothing written. (Every kind of fault is covered in-process by DatasetsTests.)
    @Test(arguments: ["truncated", "wrong-magic", "bad-label"])
    func corruptDataStopsBeforeTraining(_ fault: String) throws {
        let data = try Binary.temporaryDirectory(), out = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: data); try? FileManager.default.removeItem(at: out) }
        let folder = data.appendingPathComponent("mnist")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["train-images-idx3-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent(name).path,
                                                       withDestinationPath: Self.dataDir + "/mnist/" + name)
        }
        var labels = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.dataDir + "/mnist/train-labels-idx1-ubyte")))
        let problem: String
        switch fault {
        case "truncated":
            labels = Array(labels.prefix(30_000))
            problem = "truncated: header promises 60000 bytes of data, the file holds 29992"
        case "wrong-magic":
            labels[3] = 3
            problem = "wrong magic number 0x00000803, expected 0x00000801 (an IDX file of unsigned bytes with 1 dimension); is this the right file?"
        default:
            labels[8 + 17] = 200
            problem = "label 200 at index 17 is outside 0...9"
        }
        let path = folder.appendingPathComponent("train-labels-idx1-ubyte").path
        try Data(labels).write(to: URL(fileURLWithPath: path))
        let r = try Binary.run(["experiments/relu_dropout.yaml", "--results", out.path, "--data-dir", data.path])
        #expect(r.status == 3)
        #expect(r.stderr == "\(path): error: \(problem); run runner data fetch mnist --data-dir \(data.path) to fetch a verified copy\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == [])
    }

    @Test func missingDataNamesTheFileAndTheFix() throws {
        let empty = try Binary.temporaryDirectory(), out = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: empty); try? FileManager.default.removeItem(at: out) }
        let r = try Binary.run(["experiments/relu_dropout.yaml", "--results", out.path, "--data-dir", empty.path])
        #expect(r.status == 3)
        #expect(r.stderr == "\(empty.path)/mnist/train-images-idx3-ubyte: error: missing or unreadable; "
            + "run runner data fetch mnist --data-dir \(empty.path) to fetch a verified copy\n")
    }
}
