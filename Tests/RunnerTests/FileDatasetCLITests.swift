import Foundation
import Testing

/// Datasets of the user's own files (issue 23), through the binary: a CSV with named classes
/// trains, is scaled on its training part, keeps its ids until a byte of the data changes;
/// Fashion-MNIST read as an IDX pair trains to the same bits as `dataset: fashion-mnist`.
@Suite(.serialized) struct FileDatasetCLITests {
    /// Two classes of three features, the label a name; row i is a fixed function of i.
    static func csv(rows: Int, offset: Int) -> String {
        var text = "x1,x2,\"x 3\",kind\n"
        for i in 0..<rows {
            let t = Double(i + offset)
            let kind = (i + offset) % 3 == 0 ? "cat" : "dog"
            text += String(format: "%.4f,%.4f,%.1f,%@\n", sin(t) + (kind == "cat" ? 3 : -3), cos(t * 0.7), t.truncatingRemainder(dividingBy: 17) * 100,
                           kind)
        }
        return text
    }

    func folder() throws -> URL {
        let dir = try Binary.temporaryDirectory()
        try Self.csv(rows: 300, offset: 0).write(to: dir.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        try Self.csv(rows: 90, offset: 1000).write(to: dir.appendingPathComponent("test.csv"), atomically: true, encoding: .utf8)
        try "name: pets\nepochs: 3\nhidden: [8]\nbatch_size: 16\nlr: 0.1\nactivation: relu\ndropout: 0\nrepeats: 2\n"
            .appending("dataset: {train: train.csv, test: test.csv, label: kind, scale: standardize}\n")
            .write(to: dir.appendingPathComponent("pets.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    func figures(_ dir: URL) throws -> [String: String] {
        let exp = dir.appendingPathComponent("results/pets")
        var out: [String: String] = [:]
        for id in try FileManager.default.contentsOfDirectory(atPath: exp.path) where id.count == 12 && !id.contains(".") {
            let text = try String(contentsOf: exp.appendingPathComponent("\(id)/metrics.csv"), encoding: .utf8)
            out[id] = text.split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") }.joined(separator: "\n")
        }
        return out
    }

    @Test func aCSVOfNamedClassesTrainsScaledAndKeepsItsIdsUntilTheDataChange() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Binary.run(["pets.yaml", "-q"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let first = try figures(dir)
        #expect(first.count == 2 && first.values.allSatisfy { $0.split(separator: "\n").count == 4 })
        // Learned something: the final test accuracy beats always guessing "dog" (2/3).
        for text in first.values {
            let accuracy = Double(text.split(separator: "\n").last!.split(separator: ",")[3])!
            #expect(accuracy > 90, "\(text)")
        }
        let id = try #require(first.keys.sorted().first)
        let scaling = try String(contentsOf: dir.appendingPathComponent("results/pets/\(id)/scaling.json"), encoding: .utf8)
        #expect(scaling.contains("\"scale\": \"standardize\"") && scaling.contains("\"class_names\": [\"cat\", \"dog\"]"), "\(scaling)")
        // Provenance names each file with its size and hash.
        let provenance = try String(contentsOf: dir.appendingPathComponent("results/pets/\(id)/provenance.json"), encoding: .utf8)
        let trainBytes = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("train.csv").path)[.size] as? Int
        #expect(provenance.contains("\"path\" : \"\(dir.resolvingSymlinksInPath().path)/train.csv\""), "\(provenance)")
        #expect(provenance.contains("\"bytes\" : \(trainBytes ?? -1)"), "\(provenance)")
        // Same data, same numbers, bit for bit, in another folder; a rerun trains nothing.
        let again = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: again) }
        for file in ["train.csv", "test.csv", "pets.yaml"] {
            try FileManager.default.copyItem(at: dir.appendingPathComponent(file), to: again.appendingPathComponent(file))
        }
        #expect(try Binary.run(["pets.yaml", "-q"], in: again).status == 0)
        #expect(try figures(again) == first)
        let rerun = try Binary.run(["pets.yaml"], in: dir)
        #expect(rerun.status == 0 && !rerun.stdout.contains("] done (final"), "\(rerun.stdout)")
        // One byte of the data changed: new ids, and the old runs stay on disk.
        var bytes = try Data(contentsOf: dir.appendingPathComponent("train.csv"))
        bytes[bytes.count - 3] = bytes[bytes.count - 3] == UInt8(ascii: "g") ? UInt8(ascii: "t") : UInt8(ascii: "g")
        try bytes.write(to: dir.appendingPathComponent("train.csv"))
        let plan = try Binary.run(["plan", "pets.yaml", "--format", "tsv"], in: dir)
        let ids = plan.stdout.split(separator: "\n").dropFirst().compactMap { $0.split(separator: "\t").dropFirst().first.map(String.init) }
        #expect(ids.count == 2 && Set(ids).isDisjoint(with: first.keys), "\(plan.stdout)")
    }

    /// A run's memory on a dataset of files is checked once the data are loaded (their shape is
    /// known then), before anything is written.
    @Test func memoryIsCheckedOnTheLoadedShape() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Binary.run(["pets.yaml", "--max-memory", "10K"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains(": a run on this data (300 examples of 3 features) needs about "), "\(r.stderr)")
        #expect(r.stderr.contains("more than the limit of 10.0 KiB"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results").path))
        #expect(try Binary.run(["pets.yaml", "--max-memory", "1G", "-q"], in: dir).status == 0)
    }

    /// The validation split, early stopping, select, compare, report and pruning work on a
    /// dataset of files as on MNIST.
    @Test func validationSelectionEarlyStoppingComparePruneAndReportWorkOnFiles() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ("name: study\ndataset: {train: train.csv, test: test.csv, label: kind, scale: minmax}\nhidden: [8]\n"
            + "activation: relu\ndropout: 0\noptimizer: adam\nbatch_size: 16\nepochs: 12\nvalidation: 60\nrepeats: 2\n"
            + "select: {metric: val_loss, goal: min}\nearly_stopping: {metric: val_loss, patience: 1, min_delta: 0.05}\n"
            + "sweep:\n  lr: [0.0001, 0.01]\n")
            .write(to: dir.appendingPathComponent("study.yaml"), atomically: true, encoding: .utf8)
        let r = try Binary.run(["study.yaml", "-q"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let runs = try Binary.run(["summarize", "results/study", "--by-run"], in: dir)
        #expect(runs.stdout.contains(" stopped "), "\(runs.stdout)")  // min_delta 0.05: the slow lr stops early
        let groups = try Binary.run(["summarize", "results/study"], in: dir)
        #expect(groups.stdout.contains("selected by val_loss (min)") && groups.stdout.contains("lr=0.01"), "\(groups.stdout)")
        let compare = try Binary.run(["compare", "results/study", "--by", "lr"], in: dir)
        #expect(compare.status == 0 && compare.stdout.hasPrefix("lr 0.01 − 0.0001: "), "\(compare.stdout)\(compare.stderr)")
        #expect(try Binary.run(["report", "results/study"], in: dir).status == 0)
        try ("name: search\ndataset: {train: train.csv, test: test.csv, label: kind, scale: standardize}\nhidden: [8]\n"
            + "activation: relu\ndropout: 0\noptimizer: adam\nepochs: 9\nvalidation: 60\nselect: {metric: val_accuracy}\n"
            + "samples: 6\nsweep:\n  lr: {log_uniform: [0.0001, 0.05]}\n"
            + "prune: {method: successive_halving, metric: val_accuracy, min_epochs: 1, reduction: 3}\n")
            .write(to: dir.appendingPathComponent("search.yaml"), atomically: true, encoding: .utf8)
        #expect(try Binary.run(["search.yaml", "-q"], in: dir).status == 0)
        let search = try Binary.run(["summarize", "results/search", "--by-run"], in: dir)
        #expect(search.stdout.contains(" pruned ") && search.stdout.contains(" done "), "\(search.stdout)")
    }

    /// Fashion-MNIST's own files given as an IDX pair with ToTensor's scaling: the same bits
    /// as the shipped dataset (the same bytes through the same engine path).
    @Test func fashionMNISTAsAnIDXPairGivesTheSameBitsAsTheShippedDataset() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = URL(fileURLWithPath: TrainCommandTests.dataDir).appendingPathComponent("fashion-mnist").path
        let common = "epochs: 2\nhidden: [16]\ntrain_subset: 600\ntest_subset: 200\nvalidation: 100\nseed: 3\n"
        try ("name: shipped\ndataset: fashion-mnist\n" + common)
            .write(to: dir.appendingPathComponent("shipped.yaml"), atomically: true, encoding: .utf8)
        try ("name: files\n" + common + "dataset:\n"
            + "  train: {x: \(data)/train-images-idx3-ubyte, y: \(data)/train-labels-idx1-ubyte}\n"
            + "  test: {x: \(data)/t10k-images-idx3-ubyte, y: \(data)/t10k-labels-idx1-ubyte}\n"
            + "  scale: {divide: 255}\n")
            .write(to: dir.appendingPathComponent("files.yaml"), atomically: true, encoding: .utf8)
        for spec in ["shipped.yaml", "files.yaml"] {
            let r = try Binary.run([spec, "-q", "--data-dir", TrainCommandTests.dataDir], in: dir)
            #expect(r.status == 0, "\(spec): \(r.stderr)")
        }
        func rows(_ experiment: String) throws -> String {
            let exp = dir.appendingPathComponent("results/\(experiment)")
            let id = try #require(try FileManager.default.contentsOfDirectory(atPath: exp.path).first { $0.count == 12 && !$0.contains(".") })
            let text = try String(contentsOf: exp.appendingPathComponent("\(id)/metrics.csv"), encoding: .utf8)
            return text.split(separator: "\n").map { $0.split(separator: ",").dropLast().joined(separator: ",") }.joined(separator: "\n")
        }
        let shipped = try rows("shipped")
        #expect(shipped.split(separator: "\n").count == 3)
        #expect(try rows("files") == shipped)
    }
}
