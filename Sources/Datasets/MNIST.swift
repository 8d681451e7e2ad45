import Foundation

/// MNIST and Fashion-MNIST: four IDX files each, in `DATA_DIR/<name>/`.
public enum MNIST {
    /// The four IDX files of each.
    public static let files = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                               "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    /// The registry's entry for `name` (`mnist` or `fashion-mnist`: the same layout).
    static func loader(_ name: String) -> DatasetLoader {
        DatasetLoader(name: name, files: files) { (directory) throws(DataError) in try load(name, directory: directory) }
    }

    /// Loads and validates both halves of a dataset.
    /// - Parameters:
    ///   - name: `mnist` or `fashion-mnist`.
    ///   - directory: the data folder; files are `directory/name/train-images-idx3-ubyte` etc.,
    ///     raw or with `.gz`.
    /// - Throws: `DataError` naming the first bad file and the command that fetches a good one.
    public static func load(_ name: String, directory: String) throws(DataError) -> DatasetSplit {
        let fix = DatasetRegistry.fetchCommand(name, directory: directory)
        let folder = (directory as NSString).appendingPathComponent(name)
        func file(_ base: String) -> String {
            let raw = (folder as NSString).appendingPathComponent(base)
            if FileManager.default.fileExists(atPath: raw) { return raw }
            if FileManager.default.fileExists(atPath: raw + ".gz") { return raw + ".gz" }
            return raw
        }
        let train = try pair(images: file("train-images-idx3-ubyte"), labels: file("train-labels-idx1-ubyte"), fix: fix)
        let test = try pair(images: file("t10k-images-idx3-ubyte"), labels: file("t10k-labels-idx1-ubyte"), fix: fix)
        return DatasetSplit(train: train, test: test)
    }

    /// Loads one images file and its labels file and checks that they agree.
    public static func pair(images: String, labels: String, fix: String) throws(DataError) -> LabeledImages {
        let x = try IDXFile(path: images, rank: 3, fix: fix)
        guard x.dimensions[1] == 28, x.dimensions[2] == 28 else {
            throw DataError(path: images, problem: "images are \(x.dimensions[1])x\(x.dimensions[2]), "
                + "expected 28x28", fix: fix)
        }
        let y = try IDXFile(path: labels, rank: 1, fix: fix)
        guard x.dimensions[0] == y.dimensions[0] else {
            throw DataError(path: labels, problem: "holds \(y.dimensions[0]) labels but "
                + "\((images as NSString).lastPathComponent) holds \(x.dimensions[0]) images", fix: fix)
        }
        guard x.dimensions[0] > 0 else {
            throw DataError(path: images, problem: "holds no images", fix: fix)
        }
        if let bad = y.bytes.firstIndex(where: { $0 > 9 }) {
            throw DataError(path: labels, problem: "label \(y.bytes[bad]) at index \(bad) is outside 0...9", fix: fix)
        }
        return LabeledImages(pixels: x.bytes, labels: y.bytes, pixelsPerImage: 28 * 28, classes: 10)
    }
}
