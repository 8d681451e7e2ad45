import Experiments
import Foundation

/// The spec loader's fuzz target: any bytes must give a spec or a rendered error, never a
/// crash, a hang or unbounded memory. Built two ways (scripts/fuzz.sh):
/// - with `-sanitize=fuzzer -DFUZZING`: a libFuzzer binary (libFuzzer supplies `main`);
/// - normally: a replayer, `spec-fuzz FILE|DIR...`, that feeds saved inputs through the same
///   function (the regression test uses it on Tests/Fixtures/fuzz-regressions).
func fuzzOne(_ bytes: UnsafeRawBufferPointer) {
    let data = Data(bytes)
    do {
        let spec = try ExperimentSpec.parse(data: data, name: "fuzz.yaml", defaultName: "fuzz")
        do {
            let plan = try Plan(spec, maxRuns: 1000)
            _ = plan.table(specPath: "fuzz.yaml")
            _ = plan.json()
            _ = plan.tsv()
        } catch {
            _ = error.description
        }
    } catch {
        _ = error.description
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

/// libFuzzer's entry point for programs that have their own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// SwiftPM links every executable with `main` renamed to `<module>_main`: start libFuzzer there.
@_cdecl("spec_fuzz_main")
public func specFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { LLVMFuzzerTestOneInput($0, $1) }
}
#else
@main
struct Replay {
    static func main() throws {
        var files: [String] = []
        for path in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("spec-fuzz: \(path): no such file\n".utf8))
                exit(2)
            }
            if isDirectory.boolValue {
                files += try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                    .filter { !$0.hasPrefix(".") }.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            data.withUnsafeBytes { fuzzOne($0) }
        }
        print("spec-fuzz: replayed \(files.count) input(s) without a crash")
    }
}
#endif
