import Foundation
import Testing

/// `task: regression` through the binary (issue 23, item 2): two targets of a CSV learned with
/// mean squared error; validation, early stopping and select on RMSE; the summary, charts and
/// report read by RMSE; `predict` writes values that PyTorch, loading the model, computes too.
@Suite(.serialized) struct RegressionCLITests {
    /// Three features and two targets, each target a fixed smooth function of the features.
    static func csv(rows: Int, offset: Int) -> String {
        var text = "a,b,c,height,width\n"
        for i in 0..<rows {
            let t = Double(i + offset)
            let (a, b, c) = (sin(t), cos(t * 0.7), (t * 0.37).truncatingRemainder(dividingBy: 3) - 1.5)
            text += String(format: "%.5f,%.5f,%.5f,%.5f,%.5f\n", a, b, c, 40 + 12 * a - 7 * b + 3 * c * c, 2 * b + c)
        }
        return text
    }

    func folder(spec: String) throws -> URL {
        let dir = try Binary.temporaryDirectory()
        try Self.csv(rows: 400, offset: 0).write(to: dir.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        try Self.csv(rows: 100, offset: 5000).write(to: dir.appendingPathComponent("test.csv"), atomically: true, encoding: .utf8)
        try spec.write(to: dir.appendingPathComponent("fit.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    static let spec = "name: fit\ntask: regression\n"
        + "dataset: {train: train.csv, test: test.csv, label: [height, width], scale: standardize}\n"
        + "hidden: [32]\nactivation: tanh\ndropout: 0\noptimizer: adam\nlr: 0.01\nbatch_size: 16\nepochs: 40\n"
        + "validation: 80\nrepeats: 2\nselect: {metric: val_rmse}\nearly_stopping: {metric: val_rmse, patience: 3}\n"

    func runFolders(_ dir: URL) throws -> [URL] {
        let exp = dir.appendingPathComponent("results/fit")
        return try FileManager.default.contentsOfDirectory(atPath: exp.path).filter { $0.count == 12 && !$0.contains(".") }.sorted()
            .map { exp.appendingPathComponent($0) }
    }

    @Test func twoTargetsLearnWithRMSEEverywhere() throws {
        let dir = try folder(spec: Self.spec)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Binary.run(["fit.yaml"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("(final test RMSE ") && r.stdout.contains("charts: ") && r.stdout.contains("/rmse.svg, loss.svg"),
                "\(r.stdout)")
        let runs = try runFolders(dir)
        #expect(runs.count == 2)
        for run in runs {
            let text = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8)
            let lines = text.split(separator: "\n")
            #expect(lines[0] == "epoch,train_loss,test_loss,test_rmse,test_mae,test_r2,train_eval_loss,train_eval_rmse,"
                + "train_eval_mae,train_eval_r2,val_loss,val_rmse,val_mae,val_r2,epoch_seconds")
            // Learned the functions: the last epoch explains most of the targets' variance.
            let last = lines.last!.split(separator: ",", omittingEmptySubsequences: false).map { Double($0) }
            #expect(last[5]! > 0.9 && abs(last[3]! * last[3]! - last[2]!) <= 1e-6 * last[2]!, "\(lines.last!)")
            #expect(last[13] != nil && last[9] != nil)
        }
        let groups = try Binary.run(["summarize", "results/fit"], in: dir)
        #expect(groups.stdout.contains("final rmse") && groups.stdout.contains("selected by val_rmse (min)")
                && !groups.stdout.contains(" acc"), "\(groups.stdout)")
        let summary = try String(contentsOf: dir.appendingPathComponent("results/fit/summary.csv"), encoding: .utf8)
        #expect(summary.split(separator: "\n")[0].hasSuffix(
            "final_test_rmse,best_test_rmse,final_test_mae,final_test_r2,selected_epoch,selected_val_rmse,"
                + "test_accuracy_at_selected,test_rmse_at_selected"), "\(summary)")
        for file in ["rmse.svg", "loss.svg", "train-vs-test.svg", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/fit/\(file)").path), "\(file)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results/fit/accuracy.svg").path))
        let report = try String(contentsOf: dir.appendingPathComponent("results/fit/report.md"), encoding: .utf8)
        #expect(report.contains("final test rmse") && !report.contains("final test acc"), "\(report.prefix(2000))")
        // A rerun trains nothing, and finds the summary, charts and report current.
        let rerun = try Binary.run(["fit.yaml"], in: dir)
        #expect(rerun.status == 0 && !rerun.stdout.contains("(final test RMSE"), "\(rerun.stdout)")
        // predict: one value per target, named as the label columns.
        let run = try #require(runs.first)
        let predictions = dir.appendingPathComponent("preds.csv")
        let p = try Binary.run(["predict", run.path, dir.appendingPathComponent("test.csv").path, "--output", predictions.path])
        #expect(p.status == 0, "\(p.stderr)")
        let rows = try String(contentsOf: predictions, encoding: .utf8).split(separator: "\n")
        #expect(rows.first == "index,height,width" && rows.count == 101)
        // PyTorch loads the model and computes the same outputs; its MSELoss on the test set is
        // the run's test loss at the selected epoch (the model kept).
        guard ModelExportTests.python != nil else { return }
        let check = try ModelExportTests.checkInPyTorch(run: run, examples: dir.appendingPathComponent("test.csv").path,
                                                        predictions: predictions)
        #expect(check.status == 0 && check.output.contains("\"agree\": 100"), "\(check.output)")
        let mse = try #require(check.output.split(separator: "\"mse\": ").last.flatMap { Double($0.prefix { $0 != "}" && $0 != "," }) })
        let epochs = try String(contentsOf: run.appendingPathComponent("metrics.csv"), encoding: .utf8).split(separator: "\n")
            .dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        // The selected epoch: the lowest validation RMSE, the first on ties.
        let best = epochs.min { Double($0[11])! < Double($1[11])! }!
        let testLoss = Double(best[2])!
        #expect(abs(mse - testLoss) <= 1e-4 * testLoss, "PyTorch \(mse) vs runner \(testLoss)")
    }

    /// A pruned search on regression runs: the rungs keep the runs of lowest validation RMSE.
    @Test func aSearchPrunesByValidationRMSE() throws {
        let dir = try folder(spec: "name: search\ntask: regression\n"
            + "dataset: {train: train.csv, test: test.csv, label: height, scale: standardize}\n"
            + "hidden: [16]\nactivation: relu\ndropout: 0\noptimizer: adam\nepochs: 9\nvalidation: 80\nsamples: 6\n"
            + "select: {metric: val_rmse}\nsweep:\n  lr: {log_uniform: [0.00001, 0.05]}\n"
            + "prune: {method: successive_halving, metric: val_rmse, min_epochs: 1, reduction: 3}\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Binary.run(["fit.yaml", "-q"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let decisions = try String(contentsOf: dir.appendingPathComponent("results/search/pruning.json"), encoding: .utf8)
        #expect(decisions.contains("val_rmse"), "\(decisions.prefix(500))")
        let summary = try String(contentsOf: dir.appendingPathComponent("results/search/summary.csv"), encoding: .utf8)
        // summary.csv's cells, quoted ones (the dataset's canonical text has commas) kept whole.
        func cells(_ line: Substring) -> [String] {
            var out = [""], quoted = false
            for c in line {
                if c == "\"" { quoted.toggle() } else if c == "," && !quoted { out.append("") } else { out[out.count - 1].append(c) }
            }
            return out
        }
        let lines = summary.split(separator: "\n")
        let header = cells(lines[0]), rows = lines.dropFirst().map(cells)
        #expect(rows.allSatisfy { $0.count == header.count }, "\(summary)")
        let status = header.firstIndex(of: "status")!, rmse = header.firstIndex(of: "final_test_rmse")!
        #expect(rows.filter { $0[status] == "pruned" }.count >= 3 && rows.contains { $0[status] == "done" }, "\(summary)")
        // The survivor beats every run pruned at the first rung on validation RMSE there: the
        // smallest learning rates, which have barely moved, are the ones pruned.
        let done = rows.filter { $0[status] == "done" }.compactMap { Double($0[rmse]) }
        #expect(!done.isEmpty && done.allSatisfy { $0 < 20 }, "\(summary)")
    }

    /// Bad regression data: a target cell that is not a number is one error at its line and
    /// column, exit 3, nothing written.
    @Test func aNonNumericTargetIsADataError() throws {
        let dir = try folder(spec: Self.spec)
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = Self.csv(rows: 20, offset: 0)
        text += "0.1,0.2,0.3,tall,1.0\n"
        try text.write(to: dir.appendingPathComponent("train.csv"), atomically: true, encoding: .utf8)
        let r = try Binary.run(["fit.yaml"], in: dir)
        #expect(r.status == 3)
        #expect(r.stderr.contains("train.csv:22:13: error: target height holds 'tall', not a number (regression needs numeric targets)"),
                "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("results").path))
    }

    /// scikit-learn's diabetes data as a CSV and as an NPY pair (the same float64 values, written
    /// by bench/sklearn_export.py): the same runs, bit for bit.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: Binary.repo.appendingPathComponent("data/sklearn/diabetes-test-y.npy").path),
                   "data/sklearn is not there (scripts/fetch-sklearn-data.sh)"))
    func diabetesAsCSVAndAsNPYGiveTheSameBits() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = Binary.repo.appendingPathComponent("data/sklearn").path
        let common = "task: regression\nhidden: [16]\nactivation: relu\ndropout: 0\noptimizer: adam\nlr: 0.01\nepochs: 3\n"
        try ("name: csv\n" + common + "dataset: {train: \(data)/diabetes-train.csv, test: \(data)/diabetes-test.csv, label: target, "
            + "scale: standardize}\n").write(to: dir.appendingPathComponent("csv.yaml"), atomically: true, encoding: .utf8)
        try ("name: npy\n" + common + "dataset: {train: {x: \(data)/diabetes-train-x.npy, y: \(data)/diabetes-train-y.npy}, "
            + "test: {x: \(data)/diabetes-test-x.npy, y: \(data)/diabetes-test-y.npy}, scale: standardize}\n")
            .write(to: dir.appendingPathComponent("npy.yaml"), atomically: true, encoding: .utf8)
        #expect(try Binary.run(["csv.yaml", "npy.yaml", "-q"], in: dir).status == 0)
        func figures(_ name: String) throws -> String {
            let exp = dir.appendingPathComponent("results/\(name)")
            let id = try #require(try FileManager.default.contentsOfDirectory(atPath: exp.path).first { $0.count == 12 && !$0.contains(".") })
            let text = try String(contentsOf: exp.appendingPathComponent("\(id)/metrics.csv"), encoding: .utf8)
            return text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") }
                .joined(separator: "\n")
        }
        let csv = try figures("csv"), npy = try figures("npy")
        #expect(csv.split(separator: "\n").count == 4 && csv == npy)
    }
}
