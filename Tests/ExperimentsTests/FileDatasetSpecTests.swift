import Crypto
import Foundation
import SpecYAML
import Testing
import Vocabulary
@testable import Experiments

/// `dataset:` as a mapping of files: read from a spec, its identity is the files' contents.
@Suite struct FileDatasetSpecTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("fds-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "a,y\n1,0\n2,1\n".write(toFile: folder + "/train.csv", atomically: true, encoding: .utf8)
        try "a,y\n3,1\n".write(toFile: folder + "/test.csv", atomically: true, encoding: .utf8)
    }

    func config(_ dataset: String) throws -> RunConfig {
        let source = Source(name: folder + "/s.yaml", text: "dataset: \(dataset)\n")
        return try Plan(try ExperimentSpec.parse(source, defaultName: "s")).runs[0].config
    }

    @Test func pathsResolveAgainstTheSpecsFolderAndTheIdentityIsTheContent() throws {
        let c = try config("{train: train.csv, test: test.csv, label: y, scale: standardize}")
        guard case .files(let files) = c.dataset else { Issue.record("not files"); return }
        #expect(files.train.x == folder + "/train.csv" && files.test.x == folder + "/test.csv")
        let digests = try [folder + "/train.csv", folder + "/test.csv"].map { path in
            SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
        }
        let combined = SHA256.hash(data: Array(digests.joined(separator: "\n").utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(files.digest == combined)
        #expect(c.dataset.description == "files(csv,sha=\(combined.prefix(12)),label=y,scale=standardize)")
        // The canonical text reads back to the same identity (a record's config), without paths.
        #expect(DatasetChoice(canonical: c.dataset.description) == c.dataset)
        // Moved files keep the identity; a changed byte does not.
        let moved = folder + "/moved"
        try FileManager.default.createDirectory(atPath: moved, withIntermediateDirectories: true)
        for f in ["train.csv", "test.csv"] { try FileManager.default.copyItem(atPath: folder + "/" + f, toPath: moved + "/" + f) }
        #expect(try config("{train: moved/train.csv, test: moved/test.csv, label: y, scale: standardize}").dataset == c.dataset)
        try "a,y\n1,0\n2,0\n".write(toFile: moved + "/train.csv", atomically: true, encoding: .utf8)
        #expect(try config("{train: moved/train.csv, test: moved/test.csv, label: y, scale: standardize}").dataset != c.dataset)
        // And the options that change what is read are part of it.
        #expect(try config("{train: train.csv, test: test.csv, label: y}").dataset != c.dataset)
    }

    func plan(_ text: String) throws -> Plan {
        try Plan(try ExperimentSpec.parse(Source(name: folder + "/s.yaml", text: text), defaultName: "s"))
    }

    func planError(_ text: String) -> String? {
        do {
            _ = try plan(text)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func regressionIsATaskOfFilesWithItsOwnFigures() throws {
        let files = "dataset: {train: train.csv, test: test.csv, label: y}\n"
        // Classification stays out of ids; regression is part of them, and of the data's key.
        let classification = try plan(files), regression = try plan(files + "task: regression\n")
        #expect(try plan(files + "task: classification\n").runs[0].id == classification.runs[0].id)
        #expect(regression.runs[0].id != classification.runs[0].id)
        #expect(Run.canonicalText(of: regression.runs[0].config).hasSuffix("task=regression\n"))
        #expect(regression.runs[0].config.dataKey == classification.runs[0].config.dataKey + "#regression")
        // Several target columns: kept in order in the identity; regression only.
        let two = try plan("dataset: {train: train.csv, test: test.csv, label: [y, a]}\ntask: regression\n")
        guard case .files(let f) = two.runs[0].config.dataset else { Issue.record("not files"); return }
        #expect(f.labelColumns == ["y", "a"] && f.description.contains("label=y|a"))
        #expect(planError("dataset: {train: train.csv, test: test.csv, label: [y, a]}\n")?
            .contains("dataset label lists 2 columns, which only regression takes") == true)
        #expect(planError("dataset: {train: train.csv, test: test.csv, label: [y, y]}\n")?.contains("lists 'y' twice") == true)
        // A shipped dataset has classes.
        #expect(planError("task: regression\n")?.contains("task: regression needs numeric targets, and mnist has classes") == true)
        #expect(planError("task: ordinal\n")?.contains("task must be one of classification, regression") == true)
        // Figures the runs record: RMSE and R² for regression, accuracies for classification.
        let reg = files + "task: regression\nvalidation: 1\n"
        #expect(try plan(reg + "select: {metric: val_rmse}\n").selection == Selection(metric: "val_rmse", goal: "min"))
        #expect(try plan(reg + "select: {metric: val_r2}\n").selection?.goal == "max")
        #expect(planError(reg + "select: {metric: val_accuracy}\n")?
            .contains("select: val_accuracy is not a figure of regression runs; use one of val_loss, val_rmse, val_mae, val_r2") == true)
        #expect(planError(files + "validation: 1\nselect: {metric: test_rmse}\n")?
            .contains("select: test_rmse is not a figure of classification runs; use one of test_accuracy, test_loss") == true)
        #expect(planError(reg + "prune: {method: median, metric: val_accuracy}\n")?.contains("prune.metric val_accuracy is not a figure of regression runs") == true)
        let stopping = try plan(reg + "early_stopping: {metric: val_rmse, patience: 2}\n").runs[0].config.earlyStopping
        #expect(stopping == EarlyStopping(metric: .valRMSE, patience: 2) && stopping?.metric.minimises == true)
        #expect(EarlyStopping.Metric.valR2.minimises == false)
        #expect(planError(reg + "early_stopping: {metric: val_accuracy, patience: 2}\n")?
            .contains("early_stopping watches val_accuracy, which regression runs do not record; use one of val_loss, val_rmse, val_mae, val_r2") == true)
    }

    @Test func aNamedDatasetKeepsItsName() throws {
        #expect(try config("fashion-mnist").dataset == .named(.fashionMNIST))
        #expect(Parameter.named("dataset")!.read(try config("mnist")) == .string("mnist"))
    }

    @Test func digestsAreCachedByStampAndRedoneWhenTheFileChanges() throws {
        let path = folder + "/train.csv"
        let first = try FileDigest.sha256(path)
        // Rewritten with other bytes (a rename: a new inode): hashed again.
        try "a,y\n9,9\n9,9\n".write(toFile: path, atomically: true, encoding: .utf8)
        let second = try FileDigest.sha256(path)
        #expect(first != second)
        #expect(second == SHA256.hash(data: Array("a,y\n9,9\n9,9\n".utf8)).map { String(format: "%02x", $0) }.joined())
        #expect(throws: FileDigest.Failure.self) { try FileDigest.sha256(folder + "/none.csv") }
        #expect(throws: FileDigest.Failure.self) { try FileDigest.sha256(folder) }
    }
}
