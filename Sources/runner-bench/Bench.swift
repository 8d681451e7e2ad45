import Datasets
import Experiments
import Foundation
import MLP
import MLPAVX2
import MLPAVX512
import Statistics
import Vocabulary

/// Engine micro-benchmarks, printed as figures (never asserted): see scripts/bench.sh.
///
///     runner-bench gemm  [reps]    GEMM calls alone of one training epoch, engine shapes
///     runner-bench epoch [reps]    one training epoch of the seed model (ReLU + dropout 0.5)
///     runner-bench eval  [reps]    one evaluation pass over the test set
///     runner-bench steps N [blas]  N training steps (N x 32 examples), for allocation counts
///     runner-bench gemmcalls N     N bare GEMM calls, for the BLAS's own allocation count
///     runner-bench weightstep [reps]  the weight updates of one epoch: BLAS GEMM + descent against
///                                     the fused AVX-512 and AVX2 passes, and which bits differ
///     runner-bench epoch [reps] blas  the epoch on the BLAS path (every product through the BLAS)
///     runner-bench products [reps]  the forward and input-gradient products of an epoch, shape by
///                                   shape: the engine's AVX-512 kernel against the BLAS
///     runner-bench epoch [reps] adam  the epoch with Adam (lr 0.01) instead of SGD
///     runner-bench epoch [reps] batchnorm  the epoch with BatchNorm after each hidden Linear
///     runner-bench blas            the BLAS in use and the weight step this CPU takes
///     runner-bench peak [reps]     the core's SGEMM ceiling (2048^3), GFLOP/s
///     runner-bench stream [reps]   the weight step's memory traffic alone (p and v, once a step), GB/s
///     runner-bench search FUNCTION tpe|random REPS TRIALS [PARALLEL]   TPE on test functions
///     runner-bench objective FUNCTION   a test function's values for points on standard input
///                                       (SearchBench; scripts/bench-search.sh, beside Optuna)
///     runner-bench sequential [STUDIES]  simulated seeds-until-decided studies (scripts/sim-sequential.sh)
///     runner-bench initfrom FILE [key=value ...]  training from the weights in FILE, no shuffling
///                                  (scripts/same-order.sh)
@main
struct Bench {
    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func main() throws {
        let args = CommandLine.arguments.dropFirst()
        // The kernel path: RUNNER_KERNELS (read here; the engine reads no environment), else the fastest.
        let chosen = try ProcessInfo.processInfo.environment["RUNNER_KERNELS"].map {
            try Trainer.KernelPath.named($0).mapError { BenchError.message($0.message) }.get()
        } ?? .fastest
        let mode = args.first ?? "epoch"
        let reps = args.dropFirst().first.flatMap(Int.init) ?? 3
        BLAS.setThreads(1)
        let shape = NetworkShape(inputs: 784, hidden: [512, 256], classes: 10)
        switch mode {
        case "search":
            try SearchBench.run(Array(args.dropFirst()))
        case "objective":
            try SearchBench.objective(Array(args.dropFirst()))
        case "sequential":
            // Seeds until decided (SequentialComparison): error rate under no difference, power
            // and seeds spent under real ones, beside the fixed design of the same power.
            let studies = args.dropFirst().first.flatMap(Int.init) ?? 50_000
            print("studies per row: \(studies); sd 1 in both groups; never settled as narrow (width 0)")
            print("start step max  difference  declared [95% interval]     mean seeds  fixed design's seeds at that power")
            for (start, step, max) in [(3, 1, 20), (3, 3, 21), (2, 2, 20), (5, 5, 20)] {
                for difference in [0.0, 0.5, 1.0, 1.5, 2.0] {
                    let o = SequentialSimulation(start: start, step: step, max: max, difference: difference, width: 0)
                        .run(studies: studies, seed: 20261207)
                    let fixed = difference > 0 && o.rate > 0.05 ? SeedCount(sdA: 1, sdB: 1, detect: difference, power: o.rate).perGroup.map(String.init) ?? "-" : "-"
                    print(String(format: "%5d %4d %3d  %10.1f  %.4f [%.4f, %.4f]  %10.2f  ", start, step, max, difference, o.rate,
                                 o.rateInterval.lowerBound, o.rateInterval.upperBound, o.meanSeeds) + fixed)
                }
            }
        case "loadcsv":
            // A CSV dataset read as `dataset: {train: TRAIN, test: TEST, label: LABEL}` reads it
            // (scripts/bench-load.sh times it beside pandas.read_csv).
            let rest = Array(args.dropFirst())
            guard rest.count == 3 else { throw BenchError.message("usage: runner-bench loadcsv TRAIN.csv TEST.csv LABEL") }
            var files = FileDataset(train: .init(x: rest[0], y: nil), test: .init(x: rest[1], y: nil), format: .csv,
                                    digest: String(repeating: "0", count: 64))
            files.label = rest[2]
            let t = now()
            let split: DatasetSplit
            do throws(DataError) { split = try FileDatasetLoader.load(files) } catch {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                exit(3)
            }
            print(String(format: "loadcsv %.3f s  %d x %d features (%.1f MB as float32), %d classes", now() - t,
                         split.train.count, split.train.pixelsPerImage,
                         Double(split.train.features.count * 4) / 1e6, split.train.classes))
        case "loadnpy":
            // NPY pairs read as `dataset: {train: {x: X, y: Y}, test: {x: TX, y: TY}}` reads them.
            let rest = Array(args.dropFirst())
            guard rest.count == 4 else { throw BenchError.message("usage: runner-bench loadnpy X.npy Y.npy TEST-X.npy TEST-Y.npy") }
            let t = now()
            let files = FileDataset(train: .init(x: rest[0], y: rest[1]), test: .init(x: rest[2], y: rest[3]), format: .npy,
                                    digest: String(repeating: "0", count: 64))
            let split: DatasetSplit
            do throws(DataError) { split = try FileDatasetLoader.load(files) } catch {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                exit(3)
            }
            print(String(format: "loadnpy %.3f s  %d x %d features", now() - t,
                         split.train.count, split.train.pixelsPerImage))
        case "peak":
            // The core's SGEMM ceiling: a 2048^3 product through the BLAS, best of reps.
            let n = 2048
            let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
            var c = [Float](repeating: 0, count: n * n)
            var best = Double.infinity
            for _ in 0..<max(reps, 1) {
                let t = now()
                BLAS.sgemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n,
                           beta: 0, c: &c, ldc: n)
                best = min(best, now() - t)
            }
            print(String(format: "peak_gflops %.1f  (SGEMM %d^3, best of %d, %@)", 2 * pow(Double(n), 3) / best / 1e9, n,
                         max(reps, 1), BLAS.configuration))
        case "gemm":
            let times = (0..<reps).map { _ in gemmEpoch(shape: shape, examples: 60_000, batch: 32) }
            let flops = gemmFlops(shape: shape, examples: 60_000)
            print(String(format: "gemm_epoch_seconds %.4f  gflops %.2f  (median of %d)", median(times),
                         flops / median(times) / 1e9, reps))
        case "weightstep":
            weightSteps(shape: shape, reps: reps)
        case "products":
            products(reps: reps)
        case "stream":
            stream(shape: shape, reps: reps)
        case "blas":
            print("kernels: \(chosen.rawValue); BLAS: \(BLAS.configuration)")
        case "initfrom":
            // Training from weights in a raw Float32 file (the engine's flat layout), e.g.
            // PyTorch's initial weights, without shuffling or dropout: separates the effect of the
            // initial weights from everything else. key=value options as bench/same_order.py's.
            let file = String(args.dropFirst().first ?? "")
            var o = ["seed": "1", "epochs": "1", "activation": "sigmoid", "lr": "0.01", "optimizer": "sgd",
                     "nesterov": "false", "schedule": "constant", "normalize": "none", "batch_norm": "false",
                     "train_subset": "all", "dump": "", "max_norm": "none", "momentum_schedule": "constant"]
            for arg in args.dropFirst(2) {
                let parts = arg.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, o[parts[0]] != nil || parts[0] == "weight_decay" else {
                    print("runner-bench initfrom: unknown option '\(arg)'")
                    exit(64)
                }
                o[parts[0]] = parts[1]
            }
            let epochs = Int(o["epochs"]!) ?? 1, lr = Double(o["lr"]!) ?? 0.01
            guard let activation = Activation(rawValue: o["activation"]!),
                  let optimizer = OptimizerName(rawValue: o["optimizer"]!) else {
                print("runner-bench initfrom: bad activation or optimizer")
                exit(64)
            }
            let batchNorm = o["batch_norm"] == "true"
            let net = NetworkShape(inputs: 784, hidden: [512, 256], classes: 10, batchNorm: batchNorm)
            var hyper = Trainer.Hyperparameters(activation: activation, dropout: 0, lr: Float(lr), momentum: 0.5,
                                                batchSize: 32, seed: UInt64(o["seed"]!) ?? 1, shuffle: false)
            hyper.weightDecay = Float(o["weight_decay"].flatMap(Double.init) ?? optimizer.defaultWeightDecay)
            hyper.nesterov = o["nesterov"] == "true"
            if optimizer != .sgd { hyper.optimizer = .adam(.init(decoupled: optimizer == .adamw)) }
            if let normalize = InputNormalization(canonical: o["normalize"]!) {
                hyper.inputMean = Float(normalize.mean)
                hyper.inputStd = Float(normalize.std)
            }
            let schedule = LRSchedule(canonical: o["schedule"]!) ?? .constant
            hyper.inverseTimeHalfLife = schedule.inverseTimeHalfLife
            let momentumSchedule = MomentumSchedule(canonical: o["momentum_schedule"]!) ?? .constant
            if case .exponential(let end, let steps) = momentumSchedule { hyper.momentumApproach = (end, steps) }
            if let limits = MaxNorm(canonical: o["max_norm"]!) { hyper.maxNorm = limits.limits(layers: 3).map(Float.init) }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            let weights = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            let data = try DatasetRegistry.load("mnist", directory: DatasetRegistry.directory())
            let train = data.train.prefix(Int(o["train_subset"]!))
            let trainer = Trainer(shape: net, hyper: hyper, kernels: chosen)
            if !file.isEmpty { trainer.parameterValues = weights }
            for epoch in 1...epochs {
                trainer.setLearningRate(Float(schedule.lr(epoch: epoch, base: lr, epochs: epochs)))
                trainer.setMomentum(Float(momentumSchedule.momentum(epoch: epoch, base: 0.5)))
                _ = trainer.trainEpoch(pixels: train.pixels, labels: train.labels)
                let e = trainer.evaluate(pixels: data.test.pixels, labels: data.test.labels)
                print(String(format: "epoch \(epoch) test accuracy %.2f%%", e.accuracy))
            }
            if let dump = o["dump"], !dump.isEmpty {
                try trainer.parameterValues.withUnsafeBytes { Data($0) }.write(to: URL(fileURLWithPath: dump))
            }
        case "gemmcalls":
            // N GEMM calls of the first layer's forward shape, nothing else: how many heap
            // allocations the BLAS makes per call (run under valgrind).
            let calls = args.dropFirst().first.flatMap(Int.init) ?? 100
            let a = [Float](repeating: 0.5, count: 32 * 784), b = [Float](repeating: 0.01, count: 512 * 784)
            var c = [Float](repeating: 0, count: 32 * 512)
            for _ in 0..<calls {
                BLAS.sgemm(transA: false, transB: true, m: 32, n: 512, k: 784, alpha: 1, a: a, lda: 784,
                           b: b, ldb: 784, beta: 0, c: &c, ldc: 512)
            }
            print("made \(calls) GEMM calls")
        case "steps":
            let steps = args.dropFirst().first.flatMap(Int.init) ?? 100
            let step: Trainer.KernelPath = args.dropFirst(2).first == "blas" ? .blas : chosen
            let data = try DatasetRegistry.load("mnist", directory: DatasetRegistry.directory()).train.prefix(steps * 32)
            let trainer = Trainer(shape: shape, hyper: .init(activation: .relu, dropout: 0.5, lr: 0.01,
                                                             momentum: 0.5, batchSize: 32, seed: 1), kernels: step)
            _ = trainer.trainEpoch(pixels: data.pixels, labels: data.labels)
            print("trained \(steps) steps, kernels \(step.rawValue)")
        case "epoch", "eval":
            let data = try DatasetRegistry.load("mnist", directory: DatasetRegistry.directory())
            // The variant: the seed model on the best weight step (default), on the portable
            // one (blas), with Adam (adam: the chapter's lr 0.01), or with BatchNorm (batchnorm).
            let variant = args.dropFirst(2).first ?? "sgd"
            let step: Trainer.KernelPath = variant == "blas" ? .blas : chosen
            // BENCH_HIDDEN (e.g. 1024,1024,1024), BENCH_BATCH and BENCH_THREADS change the seed
            // model's layers, batch and threads (scripts/bench-threads.sh).
            let environment = ProcessInfo.processInfo.environment
            let hidden = environment["BENCH_HIDDEN"].map { $0.split(separator: ",").compactMap { Int($0) } } ?? [512, 256]
            let batch = environment["BENCH_BATCH"].flatMap(Int.init) ?? 32
            let threads = environment["BENCH_THREADS"].flatMap(Int.init) ?? 1
            var hyper = Trainer.Hyperparameters(activation: .relu, dropout: 0.5, lr: 0.01, momentum: 0.5,
                                                batchSize: batch, seed: 1)
            if variant == "adam" { hyper.optimizer = .adam(.init()) }
            let net = NetworkShape(inputs: 784, hidden: hidden, classes: 10, batchNorm: variant == "batchnorm")
            let trainer = Trainer(shape: net, hyper: hyper, kernels: step, threads: threads)
            var times: [Double] = []
            for _ in 0..<reps {
                let t = now()
                if mode == "epoch" {
                    _ = trainer.trainEpoch(pixels: data.train.pixels, labels: data.train.labels)
                } else {
                    _ = trainer.evaluate(pixels: data.test.pixels, labels: data.test.labels)
                }
                times.append(now() - t)
            }
            print(String(format: "\(mode)_seconds %.4f  (median of %d: %@)", median(times), reps,
                         times.map { String(format: "%.3f", $0) }.joined(separator: " ")))
        default:
            print("usage: runner-bench gemm|epoch|eval [reps] | steps N | gemmcalls N | blas")
        }
    }

    /// The weight updates of one epoch's steps (1875 x 3 layers, batch 32) on both paths, from
    /// the same start, timed; then whether they left the same bits.
    static func weightSteps(shape: NetworkShape, reps: Int) {
        guard CPUFeatures.hasAVX512 else { print("weight step: this CPU has no AVX-512"); return }
        let n = shape.parameterCount
        // Three copies of the parameters and velocity: BLAS, AVX-512, AVX2.
        let p = (0..<3).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: n) }
        let v = (0..<3).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: n) }
        defer { for b in p + v { b.deallocate() } }
        for q in 0..<n { p[0][q] = Float((q * 7919) % 1000) / 1000 - 0.5; v[0][q] = Float((q * 7907) % 1000) / 100_000 }
        for c in 1..<3 { p[c].update(from: p[0], count: n); v[c].update(from: v[0], count: n) }
        let acts: [[Float]] = shape.sizes.map { s in (0..<(32 * s)).map { (q: Int) -> Float in Float((q * 7883) % 1000) / 1000 - 0.3 } }
        // As the trainer calls them: weights stored as Wᵀ [in, out], so x is the kernels' "delta".
        func epoch(_ c: Int) -> Double {
            let t = now()
            for _ in 0..<1875 {
                for (l, layer) in shape.layers.enumerated().reversed() {
                    acts[l + 1].withUnsafeBufferPointer { d in
                        acts[l].withUnsafeBufferPointer { x in
                            let (pw, vw) = (p[c] + layer.weightOffset, v[c] + layer.weightOffset)
                            switch c {
                            case 0:
                                Kernels.weightStepBLAS(delta: x.baseAddress!, x: d.baseAddress!, rows: 32, outputs: layer.inputs,
                                                       inputs: layer.outputs, parameters: pw, velocity: vw, lr: 0.01, momentum: 0.9)
                            case 1:
                                MLPAVX512.weightStep(delta: x.baseAddress!, x: d.baseAddress!, rows: 32, outputs: layer.inputs,
                                                     inputs: layer.outputs, parameters: pw, velocity: vw, lr: 0.01, momentum: 0.9)
                            default:
                                MLPAVX2.weightStep(delta: x.baseAddress!, x: d.baseAddress!, rows: 32, outputs: layer.inputs,
                                                   inputs: layer.outputs, parameters: pw, velocity: vw, lr: 0.01, momentum: 0.9)
                            }
                        }
                    }
                }
            }
            return now() - t
        }
        for _ in 0..<reps {
            let (blas, avx512, avx2) = (epoch(0), epoch(1), epoch(2))
            let differing = { (a: Int, b: Int) in
                (0..<n).filter { p[a][$0].bitPattern != p[b][$0].bitPattern || v[a][$0].bitPattern != v[b][$0].bitPattern }.count
            }
            print(String(format: "weightstep seconds: BLAS %.4f  AVX-512 %.4f  AVX2 %.4f  (BLAS / AVX-512 %.2fx; values differing: AVX2 vs AVX-512 %d, BLAS vs AVX-512 %d)",
                         blas, avx512, avx2, blas / avx512, differing(1, 2), differing(0, 1)))
        }
    }

    /// The memory half of the roofline: the weight step's traffic alone, an epoch of it (1875
    /// passes of v = momentum v + c; p -= lr v over every weight: 2 loads and 2 stores of 4
    /// bytes an element, with no arithmetic to wait for), GB/s and seconds (median of reps).
    static func stream(shape: NetworkShape, reps: Int) {
        let n = shape.parameterCount
        let p = UnsafeMutablePointer<Float>.allocate(capacity: n), v = UnsafeMutablePointer<Float>.allocate(capacity: n)
        defer { p.deallocate(); v.deallocate() }
        p.initialize(repeating: 0.5, count: n)
        v.initialize(repeating: 0.25, count: n)
        var times: [Double] = []
        for _ in 0..<reps {
            let t = now()
            for _ in 0..<1875 {
                var i = 0
                while i + 16 <= n {
                    let vi = UnsafeRawPointer(v + i).loadUnaligned(as: SIMD16<Float>.self) * 0.5 + 0.001
                    UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: SIMD16<Float>.self)
                    let pi = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self) - 0.01 * vi
                    UnsafeMutableRawPointer(p + i).storeBytes(of: pi, as: SIMD16<Float>.self)
                    i += 16
                }
            }
            times.append(now() - t)
        }
        let bytes = 16 * Double(n) * 1875
        print(String(format: "stream_seconds %.4f  GB/s %.1f  (%.1f GB an epoch: the weight step's p and v, read and written once a step; median of %d)",
                     median(times), bytes / median(times) / 1e9, bytes / 1e9, reps))
    }

    /// The epoch's forward and input-gradient products, one shape at a time, 1875 calls each: the
    /// engine's AVX-512 and AVX2 kernels against the BLAS, GFLOP/s (median of reps).
    static func products(reps: Int) {
        guard CPUFeatures.hasAVX512 else { print("products: this CPU has no AVX-512"); return }
        // (name, m, n, k): forward x [32, in] Wt [in, out]; input gradient Wt [in, out] deltaT [out, 32].
        let shapes = [("forward 784->512", 32, 512, 784), ("forward 512->256", 32, 256, 512),
                      ("forward 256->10", 32, 10, 256), ("input grad 512<-256", 512, 32, 256),
                      ("input grad 256<-10", 256, 32, 10)]
        for (name, m, n, k) in shapes {
            let a = (0..<(m * k)).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 }
            let b = (0..<(k * n)).map { Float(($0 * 7907) % 1000) / 1000 - 0.5 }
            var c = [Float](repeating: 0, count: m * n)
            var own: [Double] = [], avx2: [Double] = [], blas: [Double] = []
            for _ in 0..<reps {
                var t = now()
                for _ in 0..<1875 { MLPAVX512.matrixProduct(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n) }
                own.append(now() - t)
                t = now()
                for _ in 0..<1875 { MLPAVX2.matrixProduct(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n) }
                avx2.append(now() - t)
                t = now()
                for _ in 0..<1875 {
                    BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
                               beta: 0, c: &c, ldc: n)
                }
                blas.append(now() - t)
            }
            let flops = 2 * Double(m * n * k) * 1875
            print(String(format: "%-22@ AVX-512 %6.1f GFLOP/s  AVX2 %6.1f  BLAS %6.1f  (seconds an epoch: %.3f, %.3f, %.3f)",
                         name as NSString, flops / median(own) / 1e9, flops / median(avx2) / 1e9, flops / median(blas) / 1e9,
                         median(own), median(avx2), median(blas)))
        }
    }

    /// FLOPs of one epoch's GEMMs: forward, weight gradients, and input gradients below layer 1.
    static func gemmFlops(shape: NetworkShape, examples: Int) -> Double {
        let macs = shape.layers.enumerated().reduce(0) { acc, e in
            acc + e.element.inputs * e.element.outputs * (e.offset == 0 ? 2 : 3)
        }
        return 2 * Double(macs) * Double(examples)
    }

    /// Seconds for the exact GEMM calls of one epoch of training steps, nothing else.
    static func gemmEpoch(shape: NetworkShape, examples: Int, batch: Int) -> Double {
        let maxWidth = shape.sizes.max()!
        let w = UnsafeMutablePointer<Float>.allocate(capacity: shape.parameterCount)
        let g = UnsafeMutablePointer<Float>.allocate(capacity: shape.parameterCount)
        let acts = shape.sizes.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: batch * maxWidth) }
        let deltas = shape.sizes.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: batch * maxWidth) }
        for p in [w, g] { p.initialize(repeating: 0.01, count: shape.parameterCount) }
        for p in acts + deltas { p.initialize(repeating: 0.5, count: batch * maxWidth) }
        defer { for p in [w, g] + acts + deltas { p.deallocate() } }
        let t = now()
        var start = 0
        while start < examples {
            let rows = min(batch, examples - start)
            for (l, layer) in shape.layers.enumerated() {
                BLAS.sgemm(transA: false, transB: true, m: rows, n: layer.outputs, k: layer.inputs, alpha: 1,
                           a: acts[l], lda: layer.inputs, b: w + layer.weightOffset, ldb: layer.inputs,
                           beta: 0, c: acts[l + 1], ldc: layer.outputs)
            }
            for (l, layer) in shape.layers.enumerated().reversed() {
                BLAS.sgemm(transA: true, transB: false, m: layer.outputs, n: layer.inputs, k: rows, alpha: 1,
                           a: deltas[l + 1], lda: layer.outputs, b: acts[l], ldb: layer.inputs,
                           beta: 0, c: g + layer.weightOffset, ldc: layer.inputs)
                if l > 0 {
                    BLAS.sgemm(transA: false, transB: false, m: rows, n: layer.inputs, k: layer.outputs, alpha: 1,
                               a: deltas[l + 1], lda: layer.outputs, b: w + layer.weightOffset, ldb: layer.inputs,
                               beta: 0, c: deltas[l], ldc: layer.inputs)
                }
            }
            start += rows
        }
        return now() - t
    }
}

/// A refusal of the benchmark's own (a bad RUNNER_KERNELS).
enum BenchError: Error { case message(String) }
