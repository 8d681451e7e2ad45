import Foundation
import Testing
import Vocabulary
import ZIPFoundation
@testable import Datasets

/// Datasets of the user's files: the CSV reader's dialects, NPY arrays of every dtype NumPy
/// writes for data, and the errors each bad file gets (the CSV ones also in the
/// broken-data corpus, through the binary).
@Suite struct FileDatasetTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("files-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func csv(_ train: String, _ test: String, label: String = "y", features: [String]? = nil, header: Bool = true,
             delimiter: UInt8? = nil) throws -> FileDataset {
        var d = FileDataset(train: .init(x: try write("train.csv", train), y: nil), test: .init(x: try write("test.csv", test), y: nil),
                            format: .csv, digest: String(repeating: "0", count: 64))
        d.label = label
        d.features = features
        d.header = header
        d.delimiter = delimiter
        return d
    }

    @Test func csvDialects() throws {
        // Quoted cells holding the delimiter, doubled quotes and a line break; CRLF line ends;
        // spaces around numbers; a blank line; exponents.
        let train = "a;\"b;c\";y\r\n1,5;\"2\";\"x\"\"\ny\"\r\n\r\n 3e1 ;4;z\r\n"
        let split = try FileDatasetLoader.load(try csv(train, "a;\"b;c\";y\n5;6;z\n"))
        #expect(split.train.features == [1.5, 2, 30, 4])
        #expect(split.classNames == ["x\"\ny", "z"])
        #expect(split.train.labels == [0, 1] && split.test.labels == [1])
        // No header: columns by 0-based index; features chosen and ordered.
        let noHeader = try FileDatasetLoader.load(try csv("1,2,3,0\n4,5,6,1\n", "7,8,9,1\n", label: "3", features: ["2", "0"],
                                                         header: false))
        #expect(noHeader.train.features == [3, 1, 6, 4] && noHeader.test.features == [9, 7])
        #expect(noHeader.train.labels == [0, 1] && noHeader.train.classes == 2 && noHeader.classNames == nil)
        // A tab-separated file, detected; integer labels are the classes (K from training).
        let tabs = try FileDatasetLoader.load(try csv("p\tq\ty\n1\t2\t3\n4\t5\t0\n", "p\tq\ty\n0\t0\t3\n"))
        #expect(tabs.train.classes == 4 && tabs.train.labels == [3, 0] && tabs.test.labels == [3])
        // Whole numbers written as floats (pandas' habit) are classes too.
        let floats = try FileDatasetLoader.load(try csv("a,y\n1,1.0\n2,0.0\n", "a,y\n3,1.0\n"))
        #expect(floats.train.labels == [1, 0] && floats.classNames == nil)
    }

    @Test func aBadCSVNamesItsLineAndColumn() throws {
        func error(_ train: String, _ test: String = "a,y\n1,0\n") throws -> String {
            let files = try csv(train, test)
            do throws(DataError) {
                _ = try FileDatasetLoader.load(files)
                return "no error"
            } catch {
                return error.description.replacingOccurrences(of: folder + "/", with: "")
            }
        }
        #expect(try error("a,y\n1,0\n2\n").hasPrefix("train.csv:3:1: error: row has 1 field(s), the header has 2 (a ragged row)"))
        #expect(try error("a,y\n1,0\n0x10,1\n").hasPrefix("train.csv:3:1: error: feature a holds '0x10', not a number"))
        #expect(try error("a,y\n1,0\n-inf,1\n").hasPrefix("train.csv:3:1: error: feature a is -inf; features must be finite"))
        #expect(try error("a,y\n1,-1\n").hasPrefix("train.csv:2: error: label column 'y' holds -1, a number that is not a class"))
        #expect(try error("a,y\n1,0\n", "a,y\n1,cat\n").hasPrefix("test.csv:2: error: test label 'cat' never appears"))
    }

    // MARK: - Regression

    @Test func regressionTargetsFromCSVColumns() throws {
        // Two target columns, named in the label list, anywhere among the features; kept as written.
        let train = "a,t1,b,t2\n1,0.5,2,-3\n3,1e2,4,7.25\n"
        let one = try FileDatasetLoader.load(try csv(train, "a,t1,b,t2\n5,1,6,2\n", label: "t1"), task: .regression)
        #expect(one.train.isRegression && one.train.classes == 1)
        #expect(one.train.features == [1, 2, -3, 3, 4, 7.25] && one.train.targets == [0.5, 100])
        let two = try FileDatasetLoader.load(try csv(train, "a,t1,b,t2\n5,1,6,2\n", label: "t2|t1"), task: .regression)
        #expect(two.train.classes == 2 && two.train.pixelsPerImage == 2 && two.train.features == [1, 2, 3, 4])
        #expect(two.train.targets == [-3, 0.5, 7.25, 100] && two.test.targets == [2, 1] && two.test.features == [5, 6])
        // Subsets and prefixes keep each example's targets with it.
        #expect(two.train.subset([1, 0]).targets == [7.25, 100, -3, 0.5] && two.train.prefix(1).targets == [-3, 0.5])
        // A target that is not a finite number: its line and column.
        func error(_ train: String) throws -> String {
            let files = try csv(train, "a,y\n1,0\n")
            do throws(DataError) {
                _ = try FileDatasetLoader.load(files, task: .regression)
                return "no error"
            } catch {
                return error.description.replacingOccurrences(of: folder + "/", with: "")
            }
        }
        #expect(try error("a,y\n1,0\n2,tall\n").hasPrefix("train.csv:3:3: error: target y holds 'tall', not a number"))
        #expect(try error("a,y\n1,nan\n").hasPrefix("train.csv:2:3: error: target y is nan; targets must be finite"))
        #expect(try error("a,z\n1,2\n").hasPrefix("train.csv:1:1: error: no label column 'y'"))
    }

    @Test func regressionTargetsFromNPY() throws {
        let x = Self.npy("<f4", "(3, 2)", Self.bytes([Float](arrayLiteral: 1, 2, 3, 4, 5, 6)))
        for (y, targets) in [(Self.npy("<f8", "(3,)", Self.bytes([Double](arrayLiteral: 0.5, -2, 1e3))), [Float](arrayLiteral: 0.5, -2, 1000)),
                             (Self.npy("<i8", "(3, 1)", Self.bytes([Int64](arrayLiteral: 7, 8, 9))), [7, 8, 9])] {
            let split = try FileDatasetLoader.load(try pair(x: x, y: y), task: .regression)
            #expect(split.train.targets == targets && split.train.classes == 1 && split.train.labels.isEmpty)
        }
        let wide = try FileDatasetLoader.load(try pair(x: x, y: Self.npy("<f4", "(3, 2)", Self.bytes([Float](arrayLiteral: 1, 2, 3, 4, 5, 6)))),
                                              task: .regression)
        #expect(wide.train.classes == 2 && wide.train.targets == [1, 2, 3, 4, 5, 6])
        // A non-finite target, and test targets of another width, are refused.
        let nan = try pair(x: x, y: Self.npy("<f4", "(3,)", Self.bytes([Float](arrayLiteral: 1, .nan, 3))))
        do throws(DataError) {
            _ = try FileDatasetLoader.load(nan, task: .regression)
            Issue.record("a NaN target was accepted")
        } catch {
            #expect(error.description.contains("y.npy: error: target 1 is nan; regression targets must be finite"))
        }
        let widths = try pair(x: x, y: Self.npy("<f4", "(3,)", Self.bytes([Float](arrayLiteral: 1, 2, 3))),
                              testY: Self.npy("<f4", "(3, 2)", Self.bytes([Float](repeating: 1, count: 6))))
        do throws(DataError) {
            _ = try FileDatasetLoader.load(widths, task: .regression)
            Issue.record("test targets of another width were accepted")
        } catch {
            #expect(error.description.contains("ty.npy: error: has 2 targets per example where y.npy has 1"))
        }
    }

    // MARK: - NPY

    /// An NPY file of version 1 with `descr` and `shape` and the given data bytes.
    static func npy(_ descr: String, _ shape: String, _ data: [UInt8], fortran: Bool = false) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let n = header.utf8.count
        return NPYFile.magic + [1, 0, UInt8(n & 0xFF), UInt8(n >> 8)] + Array(header.utf8) + data
    }

    static func bytes<T>(_ values: [T]) -> [UInt8] { values.withUnsafeBytes { Array($0) } }

    func pair(x: [UInt8], y: [UInt8], testX: [UInt8]? = nil, testY: [UInt8]? = nil) throws -> FileDataset {
        FileDataset(train: .init(x: try write("x.npy", bytes: x), y: try write("y.npy", bytes: y)),
                    test: .init(x: try write("tx.npy", bytes: testX ?? x), y: try write("ty.npy", bytes: testY ?? y)),
                    format: .npy, digest: String(repeating: "0", count: 64))
    }

    @Test func npyOfEachDtype() throws {
        let features: [Float] = [0.5, -1, 2, 3.25, 4, 5]
        for (descr, data) in [("<f4", Self.bytes(features)), ("<f8", Self.bytes(features.map(Double.init))),
                              ("|u1", [0, 1, 2, 3, 4, 5]), ("<i8", Self.bytes([Int64](arrayLiteral: 0, -1, 2, 3, 4, 5)))] {
            for labels in [Self.npy("<i8", "(3,)", Self.bytes([Int64](arrayLiteral: 2, 0, 1))), Self.npy("|u1", "(3, 1)", [2, 0, 1])] {
                let split = try FileDatasetLoader.load(try pair(x: Self.npy(descr, "(3, 2)", data), y: labels))
                #expect(split.train.pixelsPerImage == 2 && split.train.labels == [2, 0, 1] && split.train.classes == 3)
                if descr.hasPrefix("<f") { #expect(split.train.features == features) }
            }
        }
        // Images (n, h, w) are flattened.
        let images = try FileDatasetLoader.load(try pair(x: Self.npy("|u1", "(2, 2, 3)", Array(0..<12)),
                                                         y: Self.npy("|u1", "(2,)", [0, 1])))
        #expect(images.train.pixelsPerImage == 6 && images.train.features == (0..<12).map(Float.init))
    }

    @Test func aBadNPYIsRefusedWithItsReason() throws {
        func error(_ x: [UInt8], _ y: [UInt8] = Self.npy("|u1", "(2,)", [0, 1])) throws -> String {
            let files = try pair(x: x, y: y)
            do throws(DataError) {
                _ = try FileDatasetLoader.load(files)
                return "no error"
            } catch {
                return error.description.replacingOccurrences(of: folder + "/", with: "")
            }
        }
        let f4 = Self.bytes([Float](arrayLiteral: 1, 2, 3, 4))
        #expect(try error(Self.npy("<f4", "(2, 2)", f4, fortran: true)).hasPrefix("x.npy: error: is in Fortran order"))
        #expect(try error(Self.npy("<f4", "(2, 2)", Array(f4.prefix(10))))
                .hasPrefix("x.npy: error: truncated: shape [2, 2] of '<f4' needs 16 bytes of data, the file holds 10"))
        #expect(try error(Self.npy(">f4", "(2, 2)", f4)).hasPrefix("x.npy: error: dtype '>f4' is big-endian"))
        #expect(try error(Self.npy("<c8", "(2, 2)", f4 + f4)).hasPrefix("x.npy: error: unsupported dtype '<c8'"))
        #expect(try error(Self.npy("<f4", "(2, 2)", Self.bytes([Float](arrayLiteral: 1, .nan, 3, 4))))
            .hasPrefix("x.npy: error: row 0, feature 1 is nan; features must be finite"))
        #expect(try error(Array("not numpy".utf8)).hasPrefix("x.npy: error: not an NPY file"))
        #expect(try error(Self.npy("<f4", "(2, 2)", f4), Self.npy("<f4", "(2,)", Self.bytes([Float](arrayLiteral: 0, 1.5))))
            .hasPrefix("y.npy: label 1: error: is 1.5, not a class 0..K-1"))
        #expect(try error(Self.npy("<f4", "(2, 2)", f4), Self.npy("|u1", "(3,)", [0, 1, 1]))
            .hasPrefix("y.npy: error: shape [3]: labels need one per example of x.npy, (2,)"))
    }

    // MARK: - NPZ

    /// An NPZ as numpy.savez (stored) or savez_compressed (deflated) writes it.
    func npz(_ name: String, _ arrays: [String: [UInt8]], compressed: Bool) throws -> String {
        let path = folder + "/" + name
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (array, bytes) in arrays.sorted(by: { $0.key < $1.key }) {
            try archive.addEntry(with: array + ".npy", type: .file, uncompressedSize: Int64(bytes.count),
                                 compressionMethod: compressed ? .deflate : .none) { position, size in
                Data(bytes[Int(position)..<(Int(position) + size)])
            }
        }
        return path
    }

    @Test(arguments: [false, true])
    func npzArraysByName(compressed: Bool) throws {
        let x = Self.npy("<f4", "(3, 2)", Self.bytes([Float](arrayLiteral: 1, 2, 3, 4, 5, 6)))
        let y = Self.npy("<i8", "(3,)", Self.bytes([Int64](arrayLiteral: 1, 0, 1)))
        let archive = try npz("data.npz", ["x_train": x, "y_train": y, "x_test": x, "y_test": y], compressed: compressed)
        var files = FileDataset(train: .init(x: "x_train", y: "y_train", archive: archive),
                                test: .init(x: "x_test", y: "y_test", archive: archive), format: .npz,
                                digest: String(repeating: "0", count: 64))
        let split = try FileDatasetLoader.load(files)
        #expect(split.train.features == [1, 2, 3, 4, 5, 6] && split.test.labels == [1, 0, 1] && split.train.classes == 2)
        files.test.x = "x_val"
        var message = ""
        do throws(DataError) { _ = try FileDatasetLoader.load(files) } catch { message = error.description }
        #expect(message.hasPrefix("\(archive): error: holds no array 'x_val'; it holds x_test, x_train, y_test, y_train"), "\(message)")
    }

    // MARK: - The two paths, and hostile bytes

    /// Random numeric tables read alike whether their lines are plain (split in place) or
    /// quoted with CRLF ends (the RFC 4180 state machine): the same floats, the same labels.
    @Test func plainAndQuotedLinesReadAlike() throws {
        var rng = SplitMix64(seed: 20_261_207)
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        for trial in 0..<150 {
            let columns = 2 + pick(5), rows = 1 + pick(40)
            var plain = (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
            var quoted = (0..<columns).map { "\"c\($0)\"" }.joined(separator: ",") + "\r\n"
            for _ in 0..<rows {
                var cells: [String] = []
                for c in 0..<columns {
                    if c == columns - 1 { cells.append(["cat", "dog", "3", "7"][pick(4)]); continue }
                    let forms = [String(pick(1000)), "-\(pick(100)).\(pick(1000))", "\(pick(10))e-\(pick(5))",
                                 " \(pick(50)).5 ", "+\(pick(9))", "0.000000000000000001\(pick(9))"]
                    cells.append(forms[pick(forms.count)])
                }
                plain += cells.joined(separator: ",") + "\n"
                quoted += cells.map { "\"\($0)\"" }.joined(separator: ",") + (pick(2) == 0 ? "\r\n" : "\n")
            }
            let a = try FileDatasetLoader.load(try csv(plain, plain, label: "c\(columns - 1)"))
            let b = try FileDatasetLoader.load(try csv(quoted, quoted, label: "c\(columns - 1)"))
            #expect(a.train.features == b.train.features && a.train.labels == b.train.labels && a.classNames == b.classNames,
                    "trial \(trial)")
            // And each value as Double(_:) reads the cell, narrowed to Float.
            let first = plain.split(separator: "\n")[1].split(separator: ",", omittingEmptySubsequences: false)
            let expected = first.dropLast().map { Float(Double($0.trimmingCharacters(in: .whitespaces))!) }
            #expect(Array(a.train.features.prefix(columns - 1)) == expected, "trial \(trial): \(first)")
        }
    }

    /// Bytes from the alphabet a CSV's mistakes are made of: every one is read or refused with
    /// a DataError; none traps or hangs.
    @Test func hostileBytesAreReadOrRefusedNeverACrash() throws {
        var rng = SplitMix64(seed: 99)
        let alphabet = Array(",;\"\n\r0123456789.-+eEax \t|".utf8) + [0, 0xFF, 0xC3]
        var refused = 0, read = 0
        for _ in 0..<1500 {
            // Rows of two short tokens, so that some tables are good and most are not.
            var bytes: [UInt8] = []
            for _ in 0..<(1 + rng.next() % 6) {
                for cell in 0..<2 {
                    for _ in 0..<(rng.next() % 4) { bytes.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
                    if cell == 0 { bytes.append(rng.next() % 8 == 0 ? alphabet[Int(rng.next() % UInt64(alphabet.count))] : 44) }
                }
                bytes.append(rng.next() % 8 == 0 ? 13 : 10)
            }
            let path = try write("hostile.csv", bytes: Array("a,y\n".utf8) + bytes)
            var d = try csv("a,y\n1,0\n", "a,y\n1,0\n")
            d.train.x = path
            d.test.x = path
            do throws(DataError) {
                _ = try FileDatasetLoader.load(d)
                read += 1
            } catch {
                #expect((error.description.contains("hostile.csv") || error.description.contains("test.csv"))
                        && !error.description.contains("\n") && !error.description.unicodeScalars.contains { $0.value < 0x20 },
                        "\(error)")
                refused += 1
            }
        }
        #expect(read > 0 && refused > 0)
    }
}
