/// Examples with class labels: grey-scale images kept as the file's bytes (0...255), or, for
/// a dataset from the user's files, rows of 32-bit float features, with class labels or (for
/// regression) numeric targets.
///
/// Pixels stay `UInt8` (47 MB for MNIST's training set rather than 188 MB as Float); the engine
/// scales them to [0, 1] as it assembles each batch. Features are kept as read; the run's
/// scaling (fitted on its own training examples) is applied as batches are assembled.
public struct LabeledImages: Sendable {
    /// Number of examples.
    public let count: Int
    /// Pixels per image (rows x columns).
    public let pixelsPerImage: Int
    /// `[count, pixelsPerImage]`, row-major; empty when the examples are `features`.
    public let pixels: [UInt8]
    /// `[count, pixelsPerImage]` floats, row-major; empty when the examples are `pixels`.
    public let features: [Float]
    /// Whether the examples are float features (else bytes).
    public var isFloat: Bool { pixels.isEmpty && !features.isEmpty }
    /// `[count]`, each in `0..<classes`; empty for regression.
    public let labels: [UInt8]
    /// Regression: `[count, classes]` targets, row-major; empty for classification.
    public let targets: [Float]
    /// Number of classes, or of regression targets: the output layer's width.
    public let classes: Int
    /// Whether the examples carry numeric targets (regression) rather than class labels.
    public var isRegression: Bool { !targets.isEmpty }

    public init(pixels: [UInt8], labels: [UInt8], pixelsPerImage: Int, classes: Int) {
        precondition(pixels.count == labels.count * pixelsPerImage)
        self.count = labels.count
        self.pixelsPerImage = pixelsPerImage
        self.pixels = pixels
        self.features = []
        self.labels = labels
        self.targets = []
        self.classes = classes
    }

    public init(features: [Float], labels: [UInt8], width: Int, classes: Int) {
        precondition(features.count == labels.count * width)
        self.count = labels.count
        self.pixelsPerImage = width
        self.pixels = []
        self.features = features
        self.labels = labels
        self.targets = []
        self.classes = classes
    }

    /// Regression examples: `features` [count, width] and `targets` [count, outputs].
    public init(features: [Float], targets: [Float], width: Int, outputs: Int) {
        precondition(width > 0 && outputs > 0 && features.count % width == 0
                     && targets.count == features.count / width * outputs)
        self.count = features.count / width
        self.pixelsPerImage = width
        self.pixels = []
        self.features = features
        self.labels = []
        self.targets = targets
        self.classes = outputs
    }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledImages {
        func rows<T>(_ source: [T], zero: T, width: Int = pixelsPerImage) -> [T] {
            var out = [T](repeating: zero, count: indices.count * width)
            out.withUnsafeMutableBufferPointer { out in
                source.withUnsafeBufferPointer { src in
                    for (k, i) in indices.enumerated() {
                        (out.baseAddress! + k * width).update(from: src.baseAddress! + i * width, count: width)
                    }
                }
            }
            return out
        }
        if isRegression {
            return LabeledImages(features: rows(features, zero: 0), targets: rows(targets, zero: 0, width: classes),
                                 width: pixelsPerImage, outputs: classes)
        }
        let labels = indices.map { self.labels[$0] }
        if isFloat {
            return LabeledImages(features: rows(features, zero: 0), labels: labels, width: pixelsPerImage, classes: classes)
        }
        return LabeledImages(pixels: rows(pixels, zero: 0), labels: labels, pixelsPerImage: pixelsPerImage, classes: classes)
    }

    /// The first `n` examples (all of them when `n` is nil or not smaller than `count`).
    public func prefix(_ n: Int?) -> LabeledImages {
        guard let n, n < count else { return self }
        if isRegression {
            return LabeledImages(features: Array(features[0..<(n * pixelsPerImage)]), targets: Array(targets[0..<(n * classes)]),
                                 width: pixelsPerImage, outputs: classes)
        }
        if isFloat {
            return LabeledImages(features: Array(features[0..<(n * pixelsPerImage)]), labels: Array(labels[0..<n]),
                                 width: pixelsPerImage, classes: classes)
        }
        return LabeledImages(pixels: Array(pixels[0..<(n * pixelsPerImage)]), labels: Array(labels[0..<n]),
                             pixelsPerImage: pixelsPerImage, classes: classes)
    }
}
