import Foundation
import Testing

/// report.html in a real headless browser (Debian's chromium; scripts/test.sh installs it when
/// run as root): it loads from disk with no console message, its charts are there as SVG with
/// their lines, and the run table sorts.
@Suite(.serialized) struct ReportBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs headless chromium on `url`, returning the DOM after load and the console lines.
    func browse(_ url: String) throws -> (dom: String, console: [String]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.chromium))
        process.arguments = ["--headless=new", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                             "--virtual-time-budget=2000", "--dump-dom", url]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errors = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errors = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        group.wait()
        process.waitUntilExit()
        let console = String(decoding: errors, as: UTF8.self).split(separator: "\n").filter { $0.contains(":CONSOLE") }
        return (dom, console.map(String.init))
    }

    @Test(.enabled(if: chromium != nil, "no chromium here (scripts/test.sh installs Debian's when run as root)"))
    func theReportLoadsRendersAndSorts() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("rep.yaml").path
        try "name: rep\nepochs: 2\ntrain_subset: 300\ntest_subset: 100\nhidden: [16]\nlr: 0.1\nrepeats: 2\nsweep:\n  activation: [sigmoid, relu]\n  dropout: [0.0, 0.5]\n"
            .write(toFile: spec, atomically: true, encoding: .utf8)
        let trained = try Binary.run([spec, "--results", dir.path, "--data-dir", TrainCommandTests.dataDir, "-q"])
        #expect(trained.status == 0, "\(trained.stderr)")
        // The sweep wrote the report at its end; the command writes it again.
        #expect(FileManager.default.fileExists(atPath: dir.path + "/rep/report.html"))
        let r = try Binary.run(["report", dir.path + "/rep"])
        #expect(r.status == 0)
        let md = try String(contentsOfFile: dir.path + "/rep/report.md", encoding: .utf8)
        #expect(md.contains("## Groups") && md.contains("| activation=sigmoid,dropout=0.0 | 2 |"))
        let html = try String(contentsOfFile: dir.path + "/rep/report.html", encoding: .utf8)
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").count - 1
                == html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1)  // no network: only SVG's namespace

        let page = try browse("file://" + dir.path + "/rep/report.html")
        #expect(page.console == [], "console: \(page.console)")
        #expect(page.dom.components(separatedBy: "<svg").count - 1 >= 4)
        #expect(page.dom.components(separatedBy: "class=\"series\"").count - 1 >= 8)

        // Sorted by final test accuracy, highest first, through the page's own script.
        let sorted = try browse("file://" + dir.path + "/rep/report.html#sort=runs:5:desc")
        #expect(sorted.console == [])
        #expect(sorted.dom.contains("data-sorted=\"5 desc\""))
        let runs = try #require(sorted.dom.components(separatedBy: "<table id=\"runs\"").last?.components(separatedBy: "</table>").first)
        let accuracies = runs.components(separatedBy: "<tr>").dropFirst(2).compactMap { row -> Double? in
            let cells = row.components(separatedBy: "<td>").dropFirst().map { $0.components(separatedBy: "</td>")[0] }
            return cells.count > 5 ? Double(cells[5]) : nil
        }
        #expect(accuracies.count == 8 && accuracies == accuracies.sorted(by: >), "\(accuracies)")
    }

    /// One Markdown document over several experiments, with another program's runs beside
    /// the groups and the change since an epoch: what results/REPORT.md is made of.
    @Test func aCombinedReportWithAReferenceAndTheChangeSinceAnEpoch() throws {
        let dir = try Binary.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("two.yaml").path
        try "name: two\nepochs: 3\ntrain_subset: 300\ntest_subset: 100\nhidden: [16]\nlr: 0.1\nrepeats: 2\nsweep:\n  activation: [sigmoid, relu]\n"
            .write(toFile: spec, atomically: true, encoding: .utf8)
        #expect(try Binary.run([spec, "--results", dir.path + "/results", "--data-dir", TrainCommandTests.dataDir, "-q"]).status == 0)
        let reference = dir.appendingPathComponent("reference")
        try FileManager.default.createDirectory(at: reference, withIntermediateDirectories: true)
        for (file, accuracy) in [("activation=relu.csv", 80.0), ("activation=relu,seed=2.csv", 82.0), ("activation=relu,seed=3.csv", 81.0),
                                 ("activation=sigmoid.csv", 60.0), ("activation=sigmoid,seed=2.csv", 62.0)] {
            try "epoch,train_loss,test_loss,test_accuracy\n1,1.0,0.9,70.0\n2,0.8,0.7,\(accuracy)\n"
                .write(to: reference.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        let r = try Binary.run(["report", "results/two", "--reference", "reference", "--since-epoch", "2", "--output", "results/REPORT.md"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let md = try String(contentsOfFile: dir.path + "/results/REPORT.md", encoding: .utf8)
        #expect(md.hasPrefix("# Results\n") && md.contains("\n## two\n") && md.contains("\n### Groups\n"))
        #expect(md.contains("### Change since epoch 2"))
        #expect(md.contains("| activation=relu | final test accuracy (%) |") && md.contains("| 81.00 (3) | [78.52, 83.48] |"))
        #expect(md.contains("![accuracy.svg](two/accuracy.svg)"))
        #expect(md.contains("activation relu − sigmoid: "))
        // The effect in both programs: relu − sigmoid is 81 − 61 = +20 points in the reference.
        #expect(md.contains("### The comparisons in the reference's runs"))
        let effect = md.split(separator: "\n").first { $0.hasPrefix("| activation relu − sigmoid | final test accuracy (points) |") }
        #expect(effect?.contains("| +20.00 | [") == true, "\(effect ?? "")")

        // One reference per experiment: NAME=DIR for several, and never two for one.
        let twice = try Binary.run(["report", "results/two", "--reference", "reference", "--reference", "two=reference"], in: dir)
        #expect(twice.status != 0 && twice.stderr.contains("apply to the same experiment"), "\(twice.stderr)")
        let named = try Binary.run(["report", "results/two", "--reference", "other=elsewhere", "--reference", "two=reference",
                                    "--output", "results/NAMED.md"], in: dir)
        #expect(named.status == 0, "\(named.stderr)")
        #expect(try String(contentsOfFile: dir.path + "/results/NAMED.md", encoding: .utf8).contains("Against the reference (reference)"))
    }
}
