// swift-tools-version:6.0
// The manifest reads as a table of contents: products, C system libraries, modules, tests.
import PackageDescription

/// The engine's own kernels are compiled twice from one source: `MLPAVX512` for AVX-512 CPUs
/// (Skylake-SP and later, Zen 4) and `MLPAVX2` for AVX2 + FMA (Haswell and later, Zen 1-3);
/// `MLP` calls each only after checking that the CPU has its instructions (elsewhere a module is
/// built for the baseline and never called).
#if arch(x86_64)
let avx512Flags = ["-target-cpu", "skylake-avx512"]
let avx2Flags = ["-target-cpu", "haswell"]
#else
let avx512Flags: [String] = []
let avx2Flags: [String] = []
#endif

let package = Package(
    name: "runner",
    platforms: [.macOS(.v15)],
    // MARK: - Products
    products: [
        .executable(name: "runner", targets: ["runner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
        // NumPy's .npz archives are ZIP files (stored or deflated, ZIP64): read with ZIPFoundation.
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        // TensorBoard's event files are protocol buffers: the runtime, and code generated once
        // from Sources/TensorBoardProto/*.proto (scripts/generate-protos.sh), committed.
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        // `runner ui`'s HTTP and WebSocket server: small, no SwiftNIO (Hummingbird's build is minutes longer).
        .package(url: "https://github.com/swhitty/FlyingFox.git", exact: "0.27.1"),
    ],
    targets: [
        // MARK: - C system libraries (thin module maps, nothing else)
        .systemLibrary(
            name: "CLibYAML", pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]),
        // BLIS has no pkg-config file: see Sources/CBLAS/shim.h. apt: libblis-dev.
        .systemLibrary(name: "CBLAS"),
        .systemLibrary(
            name: "CSystemZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        // The thread's flush-to-zero mode (SSE control register): a header, nothing to link.
        .systemLibrary(name: "CFloatEnv"),
        // The CPU's spin-wait hint (PAUSE, YIELD) for the engine's waiting worker threads: a header.
        .systemLibrary(name: "CPause"),

        // MARK: - Modules, in the order data flows
        // Words the spec, the data and the engine share (activations, inits, dataset names, Adam's step), spelled once.
        .target(name: "Vocabulary"),
        .target(name: "SpecYAML", dependencies: ["CLibYAML"]),
        .target(
            name: "Experiments",
            dependencies: ["SpecYAML", "Vocabulary", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Datasets", dependencies: ["CSystemZlib", "Vocabulary", .product(name: "Crypto", package: "swift-crypto"),
                                                .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .target(name: "MLPAVX512", dependencies: ["Vocabulary"], swiftSettings: [.unsafeFlags(["-O"] + avx512Flags)]),
        // OwnKernels.swift is MLPAVX512's (a symbolic link), built with its AVX2 register and tile.
        .target(name: "MLPAVX2", dependencies: ["Vocabulary"], swiftSettings: [.define("AVX2"), .unsafeFlags(["-O"] + avx2Flags)]),
        .target(
            name: "MLP", dependencies: ["CBLAS", "CFloatEnv", "CPause", "MLPAVX512", "MLPAVX2", "Vocabulary"],
            // The engine is the only place with hot loops: optimise it even in debug builds,
            // so `swift run runner` trains at full speed.
            swiftSettings: [.unsafeFlags(["-O"])]),
        .target(name: "Results", dependencies: ["Experiments", .product(name: "Crypto", package: "swift-crypto")]),
        // The scheduler knows runs and results, not the engine: a RunExecutor trains a run.
        .target(name: "Scheduler", dependencies: ["Experiments", "Results", "SpecYAML"]),
        // Config → engine: the real RunExecutor, checkpoints, the divergence rule.
        .target(name: "Training", dependencies: ["Scheduler", "Experiments", "Datasets", "MLP", "Results", "CSystemZlib"]),
        // Sample statistics, Student's t, Welch's test: no I/O, tested against SciPy's figures.
        .target(name: "Statistics"),
        .target(name: "Reporting", dependencies: ["Experiments", "Results", "Statistics"]),
        // The subset of TensorBoard's protocol buffers runner writes: generated code only.
        .target(name: "TensorBoardProto", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["tensorboard_event.proto", "tensorboard_hparams.proto"]),
        // Other tools' formats: TensorBoard event files, an MLflow file store.
        // `runner ui`: the live dashboard over a results folder (pages from Reporting, served by FlyingFox).
        .target(name: "Dashboard", dependencies: ["Experiments", "Results", "Reporting", .product(name: "FlyingFox", package: "FlyingFox")]),
        .target(name: "Export", dependencies: ["Experiments", "Results", "Reporting", "TensorBoardProto",
                                               .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                                               .product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(
            name: "runner",
            dependencies: [
                "SpecYAML", "Experiments", "Datasets", "MLP", "Results", "Scheduler", "Training", "Statistics", "Reporting", "Export", "Dashboard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The dataset fetcher (scripts/fetch-data.sh links here), compiled into the binary
            // so `runner data fetch` works without a source checkout.
            resources: [.embedInCode("Resources/fetch-data.sh")]),

        // MARK: - Benchmarks (figures, never assertions: scripts/bench.sh)
        .executableTarget(name: "runner-bench", dependencies: ["Datasets", "Experiments", "MLP", "MLPAVX512", "MLPAVX2", "Statistics", "Vocabulary"]),

        // MARK: - Fuzzing (scripts/fuzz.sh builds this with -sanitize=fuzzer; normally a replayer)
        .executableTarget(name: "spec-fuzz", dependencies: ["Experiments"]),

        // MARK: - Tests
        .testTarget(name: "VocabularyTests", dependencies: ["Vocabulary"]),
        .testTarget(name: "SpecYAMLTests", dependencies: ["SpecYAML"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", .product(name: "Crypto", package: "swift-crypto"),
                                                        .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "MLPTests", dependencies: ["MLP", "MLPAVX512", "MLPAVX2"]),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training"]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics"]),
        .testTarget(name: "ResultsTests", dependencies: ["Results"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting"]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "TensorBoardProto"]),
        .testTarget(name: "RunnerTests", dependencies: ["runner", "spec-fuzz", "Results", .product(name: "Crypto", package: "swift-crypto")]),
    ]
)
