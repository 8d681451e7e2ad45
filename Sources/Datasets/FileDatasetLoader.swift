import Foundation
import Vocabulary

/// Loads a dataset of the user's files (`FileDataset`): a CSV, or NPY or IDX pairs of
/// features and labels, for classification or (`task: regression`) numeric targets.
///
/// Labels: when every label of both files is a non-negative integer, it is the class itself
/// (K = the largest training label + 1); otherwise labels are names, classes numbered in sorted
/// order (recorded in `DatasetSplit.classNames`). A test label that training never has, a
/// number that is not an integer, a negative label, or more than 256 classes is an error.
/// Features are kept unscaled: a run fits its scaling on its own training examples.
///
/// Regression: the label columns (CSV, one per target), `y` of shape (n,) or (n, k) (NPY,
/// NPZ), or the label bytes (IDX) are the targets, each a finite number, kept as written
/// (targets are not scaled, as neither `nn.MSELoss` nor scikit-learn's `MLPRegressor` scales them).
public enum FileDatasetLoader {
    public static func load(_ files: FileDataset, task: LearningTask = .classification) throws(DataError) -> DatasetSplit {
        switch (files.format, task) {
        case (.csv, .classification): return try loadCSV(files)
        case (.csv, .regression): return try loadCSVTargets(files)
        case (.npy, _), (.npz, _): return try loadNPY(files, task: task)
        case (.idx, _): return try loadIDX(files, task: task)
        }
    }

    /// New examples to predict, in the form the run was trained on: a CSV read with the
    /// dataset's options (its label column, if there, ignored), the `x` array of an NPY pair,
    /// or an IDX file of images. Returns the examples (labels all 0).
    public static func examples(_ path: String, like files: FileDataset?) throws(DataError) -> LabeledImages {
        let lower = path.lowercased()
        let tabular = [".npy", ".csv", ".tsv", ".txt"].contains { lower.hasSuffix($0) }
        if files == nil && tabular {
            // A run on a shipped dataset learned from pixels scaled as ToTensor() scales bytes: a
            // table of numbers could be on any scale, so only images in MNIST's own form.
            throw DataError(path: path, problem: "a run on a shipped dataset (mnist, fashion-mnist) takes images",
                            advice: "give an IDX file of 28x28 images, as t10k-images-idx3-ubyte")
        }
        if lower.hasSuffix(".npy") {
            let x = try NPYFile.load(path)
            guard x.shape.count >= 2, x.shape[0] > 0 else {
                throw NPYFile.fail(path, "shape \(x.shape): examples need one row each, (examples, features)")
            }
            if let bad = x.values.firstIndex(where: { !$0.isFinite }) {
                throw NPYFile.fail(path, "element \(bad) is \(x.values[bad]); features must be finite")
            }
            let width = x.values.count / x.shape[0]
            return LabeledImages(features: x.values, labels: [UInt8](repeating: 0, count: x.shape[0]),
                                 width: width, classes: 1)
        }
        if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") {
            var options = CSVTable.Options(label: files?.label ?? "label", features: files?.features,
                                           header: files?.header ?? true, delimiter: files?.delimiter)
            options.labelOptional = true
            let table = try CSVTable.load(path, options: options)
            return LabeledImages(features: table.features, labels: [UInt8](repeating: 0, count: table.lines.count),
                                 width: table.width, classes: 1)
        }
        let images: IDXFile
        do throws(DataError) {
            images = try IDXFile(path: path, rank: 3, fix: "")
        } catch {
            throw DataError(path: error.path, problem: error.problem,
                            advice: "give a CSV, an NPY array or an IDX file of images")
        }
        let width = images.dimensions[1] * images.dimensions[2]
        let labels = [UInt8](repeating: 0, count: images.dimensions[0])
        if files == nil || files?.scale == .divide(255) {
            return LabeledImages(pixels: images.bytes, labels: labels, pixelsPerImage: width, classes: 1)
        }
        return LabeledImages(features: images.bytes.map { Float($0) }, labels: labels, width: width, classes: 1)
    }

    // MARK: - CSV

    static func loadCSV(_ files: FileDataset) throws(DataError) -> DatasetSplit {
        let options = CSVTable.Options(label: files.label ?? "", features: files.features, header: files.header,
                                       delimiter: files.delimiter)
        let train = try CSVTable.load(files.train.x, options: options)
        let test = try CSVTable.load(files.test.x, options: options, expectedFeatures: train.featureNames)
        let (trainLabels, testLabels, classes, names) = try classes(
            train: train.labels, test: test.labels,
            trainPlace: { "\(files.train.x):\(train.lines[$0])" }, testPlace: { "\(files.test.x):\(test.lines[$0])" },
            column: files.label ?? "")
        return DatasetSplit(
            train: LabeledImages(features: train.features, labels: trainLabels, width: train.width, classes: classes),
            test: LabeledImages(features: test.features, labels: testLabels, width: test.width, classes: classes),
            classNames: names)
    }

    /// Regression on a CSV: every label column a numeric target.
    static func loadCSVTargets(_ files: FileDataset) throws(DataError) -> DatasetSplit {
        var options = CSVTable.Options(label: files.label ?? "", features: files.features, header: files.header,
                                       delimiter: files.delimiter)
        options.numericTargets = true
        let train = try CSVTable.load(files.train.x, options: options)
        let test = try CSVTable.load(files.test.x, options: options, expectedFeatures: train.featureNames)
        let outputs = files.labelColumns.count
        return DatasetSplit(
            train: LabeledImages(features: train.features, targets: train.targets, width: train.width, outputs: outputs),
            test: LabeledImages(features: test.features, targets: test.targets, width: test.width, outputs: outputs))
    }

    /// The classes of the label cells: integers 0..<K (written `3` or `3.0`), or names
    /// numbered in sorted order.
    static func classes(train: [String], test: [String], trainPlace: (Int) -> String, testPlace: (Int) -> String,
                        column: String) throws(DataError) -> ([UInt8], [UInt8], Int, [String]?) {
        func fail(_ place: String, _ problem: String) -> DataError {
            DataError(path: place, problem: problem,
                      advice: "classification takes labels 0..K-1 or class names; for numeric targets set task: regression")
        }
        // Each label as a class number when it is a number: a whole one, 0 to 255; any other
        // number (2.5, -1, 300) is a mistake, never a name.
        func number(_ s: String, _ place: String) throws(DataError) -> UInt8? {
            guard let v = Double(s) else {
                if s.isEmpty { throw fail(place, "label column '\(DataError.shown(column))' is empty here") }
                return nil
            }
            guard v.isFinite, v >= 0, v == v.rounded() else {
                throw fail(place, "label column '\(DataError.shown(column))' holds \(DataError.shown(s)), a number that is not a class 0..K-1")
            }
            guard v < 256 else { throw fail(place, "label \(DataError.shown(s)) is more than the 256 classes runner supports") }
            return UInt8(v)
        }
        var trainNumbers: [UInt8?] = [], testNumbers: [UInt8?] = []
        trainNumbers.reserveCapacity(train.count)
        for (i, s) in train.enumerated() { trainNumbers.append(try number(s, trainPlace(i))) }
        for (i, s) in test.enumerated() { testNumbers.append(try number(s, testPlace(i))) }
        if trainNumbers.allSatisfy({ $0 != nil }) && testNumbers.allSatisfy({ $0 != nil }) {
            let trainLabels = trainNumbers.map { $0! }
            let seen = Set(trainLabels)
            if let i = testNumbers.firstIndex(where: { !seen.contains($0!) }) {
                throw fail(testPlace(i), "test label \(DataError.shown(test[i])) never appears in the training file")
            }
            return (trainLabels, testNumbers.map { $0! }, Int(trainLabels.max()!) + 1, nil)
        }
        // Names (some may look like whole numbers: they are names too, as written).
        let names = Set(train).sorted()
        guard names.count <= 256 else {
            throw fail(trainPlace(0), "label column '\(DataError.shown(column))' holds \(names.count) classes, more than the 256 runner supports")
        }
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, UInt8($0)) })
        var testLabels: [UInt8] = []
        for (i, s) in test.enumerated() {
            guard let v = index[s] else { throw fail(testPlace(i), "test label '\(DataError.shown(s))' never appears in the training file") }
            testLabels.append(v)
        }
        return (train.map { index[$0]! }, testLabels, names.count, names)
    }

    // MARK: - NPY pairs

    static func loadNPY(_ files: FileDataset, task: LearningTask) throws(DataError) -> DatasetSplit {
        func part(_ p: FileDataset.Part) throws(DataError) -> (x: NPYFile, y: NPYFile) {
            let x: NPYFile, y: NPYFile
            if let archive = p.archive {
                (x, y) = (try NPZArchive.array(p.x, in: archive), try NPZArchive.array(p.y!, in: archive))
            } else {
                (x, y) = (try NPYFile.load(p.x), try NPYFile.load(p.y!))
            }
            guard x.shape.count >= 2, x.shape[0] > 0 else {
                throw NPYFile.fail(p.x, "shape \(x.shape): features need one row per example, (examples, features)")
            }
            let rowsOK = task == .regression ? (y.shape.count == 1 || y.shape.count == 2) && y.shape.first == x.shape[0]
                && y.shape.last! > 0 : y.shape == [x.shape[0]] || y.shape == [x.shape[0], 1]
            guard rowsOK else {
                throw NPYFile.fail(p.y!, "shape \(y.shape): labels need one per example of \((p.x as NSString).lastPathComponent), "
                    + "(\(x.shape[0]),)" + (task == .regression ? " or (\(x.shape[0]), targets)" : ""))
            }
            if task == .regression, let bad = y.values.firstIndex(where: { !$0.isFinite }) {
                throw NPYFile.fail(p.y!, "target \(bad) is \(y.values[bad]); regression targets must be finite")
            }
            let width = x.values.count / x.shape[0]
            if let bad = x.values.firstIndex(where: { !$0.isFinite }) {
                throw NPYFile.fail(p.x, "row \(bad / width), feature \(bad % width) is \(x.values[bad]); features must be finite")
            }
            return (x, y)
        }
        let train = try part(files.train), test = try part(files.test)
        let width = train.x.values.count / train.x.shape[0]
        guard test.x.values.count / test.x.shape[0] == width else {
            throw NPYFile.fail(files.test.x, "has \(test.x.values.count / test.x.shape[0]) features per example where "
                + "\((files.train.x as NSString).lastPathComponent) has \(width)")
        }
        if task == .regression {
            let outputs = train.y.values.count / train.y.shape[0]
            guard test.y.values.count / test.y.shape[0] == outputs else {
                throw NPYFile.fail(files.test.y!, "has \(test.y.values.count / test.y.shape[0]) targets per example where "
                    + "\((files.train.y! as NSString).lastPathComponent) has \(outputs)")
            }
            return DatasetSplit(
                train: LabeledImages(features: train.x.values, targets: train.y.values, width: width, outputs: outputs),
                test: LabeledImages(features: test.x.values, targets: test.y.values, width: width, outputs: outputs))
        }
        func text(_ y: NPYFile, _ path: String) throws(DataError) -> [String] {
            if let bad = y.values.firstIndex(where: { !$0.isFinite || $0 < 0 || $0 != $0.rounded() }) {
                throw DataError(path: "\(path): label \(bad)", problem: "is \(y.values[bad]), not a class 0..K-1",
                                advice: "classification takes integer labels 0..K-1")
            }
            return y.values.map { String(Int($0)) }
        }
        let (trainLabels, testLabels, classes, _) = try classes(
            train: try text(train.y, files.train.y!), test: try text(test.y, files.test.y!),
            trainPlace: { "\(files.train.y!): label \($0)" }, testPlace: { "\(files.test.y!): label \($0)" }, column: "y")
        return DatasetSplit(
            train: LabeledImages(features: train.x.values, labels: trainLabels, width: width, classes: classes),
            test: LabeledImages(features: test.x.values, labels: testLabels, width: width, classes: classes))
    }

    // MARK: - IDX pairs

    /// IDX images (any rank >= 2 of unsigned bytes) and labels: with `scale: {divide: 255}`
    /// kept as bytes, exactly as MNIST is (the same numbers as `dataset: mnist` on the same
    /// files); otherwise as float features 0...255 for the run's scaling.
    static func loadIDX(_ files: FileDataset, task: LearningTask) throws(DataError) -> DatasetSplit {
        let advice = "give IDX files of unsigned bytes, images (idx3) and labels (idx1), raw or .gz"
        func part(_ p: FileDataset.Part) throws(DataError) -> (images: IDXFile, labels: IDXFile) {
            let images: IDXFile
            do throws(DataError) {
                images = try IDXFile(path: p.x, rank: 3, fix: "")
            } catch {
                throw DataError(path: error.path, problem: error.problem, advice: advice)
            }
            let labels: IDXFile
            do throws(DataError) {
                labels = try IDXFile(path: p.y!, rank: 1, fix: "")
            } catch {
                throw DataError(path: error.path, problem: error.problem, advice: advice)
            }
            guard images.dimensions[0] == labels.dimensions[0], images.dimensions[0] > 0 else {
                throw DataError(path: p.y!, problem: "holds \(labels.dimensions[0]) labels but "
                    + "\((p.x as NSString).lastPathComponent) holds \(images.dimensions[0]) images", advice: advice)
            }
            return (images, labels)
        }
        let train = try part(files.train), test = try part(files.test)
        let width = train.images.dimensions[1] * train.images.dimensions[2]
        guard test.images.dimensions[1] * test.images.dimensions[2] == width else {
            throw DataError(path: files.test.x, problem: "images are \(test.images.dimensions[1])x\(test.images.dimensions[2]) "
                + "where the training images are \(train.images.dimensions[1])x\(train.images.dimensions[2])", advice: advice)
        }
        if task == .regression {  // the label bytes as numbers
            func features(_ images: IDXFile) -> [Float] { images.bytes.map { Float($0) } }
            return DatasetSplit(
                train: LabeledImages(features: features(train.images), targets: train.labels.bytes.map { Float($0) },
                                     width: width, outputs: 1),
                test: LabeledImages(features: features(test.images), targets: test.labels.bytes.map { Float($0) },
                                    width: width, outputs: 1))
        }
        let (trainLabels, testLabels, classes, _) = try classes(
            train: train.labels.bytes.map { String($0) }, test: test.labels.bytes.map { String($0) },
            trainPlace: { "\(files.train.y!): label \($0)" }, testPlace: { "\(files.test.y!): label \($0)" }, column: "y")
        if files.scale == .divide(255) {
            return DatasetSplit(
                train: LabeledImages(pixels: train.images.bytes, labels: trainLabels, pixelsPerImage: width, classes: classes),
                test: LabeledImages(pixels: test.images.bytes, labels: testLabels, pixelsPerImage: width, classes: classes))
        }
        return DatasetSplit(
            train: LabeledImages(features: train.images.bytes.map { Float($0) }, labels: trainLabels, width: width, classes: classes),
            test: LabeledImages(features: test.images.bytes.map { Float($0) }, labels: testLabels, width: width, classes: classes))
    }
}
