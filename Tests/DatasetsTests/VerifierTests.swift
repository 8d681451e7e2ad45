import Crypto
import Foundation
import Testing
@testable import Datasets

/// The published bytes, checked before training, once per file version.
@Suite struct VerifierTests {
    func sha(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    @Test func publishedFilesPassOnceAndAChangedFileIsCaught() throws {
        let f = try Fixture()
        let files: [(String, [UInt8])] = [("train-images-idx3-ubyte", Fixture.images(4)), ("train-labels-idx1-ubyte", Fixture.labels([1, 2, 3, 4])),
                                          ("t10k-images-idx3-ubyte", Fixture.images(2)), ("t10k-labels-idx1-ubyte", Fixture.labels([5, 6]))]
        var sums: [String: String] = [:]
        for (name, bytes) in files {
            try f.write(name, bytes)
            sums["mnist/\(name)"] = sha(bytes)
        }
        try DatasetVerifier.verify("mnist", directory: f.root.path, checksums: sums)
        let cache = try String(contentsOf: f.folder.appendingPathComponent(DatasetVerifier.cacheFile), encoding: .utf8)
        #expect(cache.split(separator: "\n").count == 4)
        // Four flipped pixel bytes, same size: a new modification time, hashed again, refused.
        var flipped = files[0].1
        for i in [20, 40, 60, 80] { flipped[16 + i] ^= 0xFF }
        try f.write(files[0].0, flipped)
        let error = #expect(throws: DataError.self) {
            try DatasetVerifier.verify("mnist", directory: f.root.path, checksums: sums)
        }
        #expect(error?.problem.hasPrefix("not the published mnist file (SHA-256 ") == true)
        // The test set copied over the training set: refused too.
        try f.write(files[0].0, files[2].1)
        try f.write(files[1].0, files[3].1)
        #expect(throws: DataError.self) { try DatasetVerifier.verify("mnist", directory: f.root.path, checksums: sums) }
    }

    /// A verified file is not read again: the cache's entry for its size and time is trusted.
    @Test func aCachedFileIsNotReadAgain() throws {
        let f = try Fixture()
        let bytes = Fixture.labels([1, 2, 3])
        try f.write("train-labels-idx1-ubyte", bytes)
        let sums = ["mnist/train-labels-idx1-ubyte": sha(bytes)]
        try DatasetVerifier.verify("mnist", directory: f.root.path, checksums: sums)
        // Unreadable now (no permission would not stop root): replace the cache's hash with one
        // that only a re-read could contradict, and see the cache answer.
        let path = f.folder.appendingPathComponent(DatasetVerifier.cacheFile)
        let cached = try String(contentsOf: path, encoding: .utf8)
        #expect(cached.hasSuffix("\t\(sha(bytes))\n"))
        let other = sha([0])
        try cached.replacingOccurrences(of: sha(bytes), with: other).write(to: path, atomically: true, encoding: .utf8)
        // With the expected sum changed to match the doctored cache, no read happens and it passes.
        try DatasetVerifier.verify("mnist", directory: f.root.path, checksums: ["mnist/train-labels-idx1-ubyte": other])
    }
}
