import Foundation
import Testing
@testable import Datasets

/// Builds IDX files in a temporary folder laid out like `data/mnist/`.
struct Fixture {
    let root: URL
    var folder: URL { root.appendingPathComponent("mnist") }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("idx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("mnist"), withIntermediateDirectories: true)
    }

    static func header(magic: UInt8, dims: [Int]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0x08, magic]
        for d in dims { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
        return bytes
    }

    static func images(_ n: Int, rows: Int = 28, cols: Int = 28) -> [UInt8] {
        header(magic: 3, dims: [n, rows, cols]) + (0..<(n * rows * cols)).map { UInt8($0 % 256) }
    }

    static func labels(_ values: [UInt8]) -> [UInt8] { header(magic: 1, dims: [values.count]) + values }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: folder.appendingPathComponent(name))
    }

    /// A complete, valid dataset: 5 training and 3 test examples.
    func writeValid() throws {
        try write("train-images-idx3-ubyte", Fixture.images(5))
        try write("train-labels-idx1-ubyte", Fixture.labels([0, 1, 2, 3, 9]))
        try write("t10k-images-idx3-ubyte", Fixture.images(3))
        try write("t10k-labels-idx1-ubyte", Fixture.labels([4, 5, 6]))
    }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// The one-line error of loading this folder, or nil.
    func loadError() -> String? {
        do {
            _ = try MNIST.load("mnist", directory: root.path)
            return nil
        } catch {
            return error.description
        }
    }
}

@Suite struct IDXLoading {
    @Test func validFilesLoad() throws {
        let f = try Fixture()
        try f.writeValid()
        let split = try MNIST.load("mnist", directory: f.root.path)
        #expect(split.train.count == 5 && split.test.count == 3)
        #expect(split.train.labels == [0, 1, 2, 3, 9])
        #expect(split.train.pixels.count == 5 * 784)
        #expect(split.train.pixels[785] == UInt8(785 % 256))
        #expect(split.train.prefix(2).labels == [0, 1])
        #expect(split.train.prefix(nil).count == 5)
    }

    @Test func gzipFilesLoadToo() throws {
        let f = try Fixture()
        try f.writeValid()
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = [f.path("train-images-idx3-ubyte")]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: f.path("train-images-idx3-ubyte.gz")))
        let split = try MNIST.load("mnist", directory: f.root.path)
        #expect(split.train.pixels[785] == UInt8(785 % 256))

        // A gzip stream cut short is an error, not silently shorter data.
        let gz = try Data(contentsOf: URL(fileURLWithPath: f.path("train-images-idx3-ubyte.gz")))
        try gz.prefix(gz.count / 2).write(to: URL(fileURLWithPath: f.path("train-images-idx3-ubyte.gz")))
        #expect(f.loadError() == "\(f.path("train-images-idx3-ubyte.gz")): error: truncated gzip stream "
            + "(unexpected end of file); run runner data fetch mnist --data-dir \(f.root.path) to fetch a verified copy")
    }

    @Test func missingFile() throws {
        let f = try Fixture()
        try f.writeValid()
        try FileManager.default.removeItem(atPath: f.path("t10k-labels-idx1-ubyte"))
        #expect(f.loadError() == "\(f.path("t10k-labels-idx1-ubyte")): error: missing or unreadable; "
            + "run runner data fetch mnist --data-dir \(f.root.path) to fetch a verified copy")
    }

    @Test func truncatedFile() throws {
        let f = try Fixture()
        try f.writeValid()
        try f.write("train-images-idx3-ubyte", Array(Fixture.images(5).prefix(1000)))
        #expect(f.loadError()?.hasPrefix("\(f.path("train-images-idx3-ubyte")): error: truncated: header promises "
            + "5x28x28 = 3920 bytes of data, the file holds 984; run ") == true)
    }

    @Test func wrongMagic() throws {
        let f = try Fixture()
        try f.writeValid()
        try f.write("train-labels-idx1-ubyte", Fixture.images(5))
        #expect(f.loadError()?.hasPrefix("\(f.path("train-labels-idx1-ubyte")): error: wrong magic number 0x00000803, "
            + "expected 0x00000801 (an IDX file of unsigned bytes with 1 dimension); is this the right file?; run ") == true)
    }

    @Test func wrongDimensions() throws {
        let f = try Fixture()
        try f.writeValid()
        try f.write("train-images-idx3-ubyte", Fixture.images(5, rows: 32, cols: 32))
        #expect(f.loadError()?.hasPrefix("\(f.path("train-images-idx3-ubyte")): error: images are 32x32, expected 28x28; run ") == true)
    }

    @Test func countMismatch() throws {
        let f = try Fixture()
        try f.writeValid()
        try f.write("train-labels-idx1-ubyte", Fixture.labels([0, 1, 2, 3]))
        #expect(f.loadError()?.hasPrefix("\(f.path("train-labels-idx1-ubyte")): error: holds 4 labels but "
            + "train-images-idx3-ubyte holds 5 images; run ") == true)
    }

    @Test func labelOutOfRange() throws {
        let f = try Fixture()
        try f.writeValid()
        try f.write("t10k-labels-idx1-ubyte", Fixture.labels([4, 12, 6]))
        #expect(f.loadError()?.hasPrefix("\(f.path("t10k-labels-idx1-ubyte")): error: label 12 at index 1 is outside 0...9; run ") == true)
    }

    @Test func trailingBytes() throws {
        let f = try Fixture()
        try f.writeValid()
        try f.write("t10k-labels-idx1-ubyte", Fixture.labels([4, 5, 6]) + [0, 0])
        #expect(f.loadError()?.hasPrefix("\(f.path("t10k-labels-idx1-ubyte")): error: 2 bytes longer than its header (3) describes; run ") == true)
    }

    @Test func errorsAreOneLine() throws {
        let f = try Fixture()
        #expect(f.loadError()?.contains("\n") == false)
    }

    @Test func directoryPrecedence() {
        #expect(DatasetRegistry.directory(environment: [:]) == "data")
        #expect(DatasetRegistry.directory(spec: "/s", environment: [:]) == "/s")
        #expect(DatasetRegistry.directory(spec: "/s", environment: ["RUNNER_DATA_DIR": "/e"]) == "/e")
        #expect(DatasetRegistry.directory(option: "/o", spec: "/s", environment: ["RUNNER_DATA_DIR": "/e"]) == "/o")
        #expect(DatasetRegistry.fetchCommand("mnist", directory: "data") == "runner data fetch mnist")
    }
}
