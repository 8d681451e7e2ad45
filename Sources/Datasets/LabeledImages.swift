/// Examples with class labels: grey-scale images kept as the file's bytes (0...255), or, for
/// a dataset from the user's files, rows of 32-bit float features.
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
    /// `[count]`, each in `0..<classes`.
    public let labels: [UInt8]
    /// Number of classes.
    public let classes: Int

    public init(pixels: [UInt8], labels: [UInt8], pixelsPerImage: Int, classes: Int) {
        precondition(pixels.count == labels.count * pixelsPerImage)
        self.count = labels.count
        self.pixelsPerImage = pixelsPerImage
        self.pixels = pixels
        self.features = []
        self.labels = labels
        self.classes = classes
    }

    public init(features: [Float], labels: [UInt8], width: Int, classes: Int) {
        precondition(features.count == labels.count * width)
        self.count = labels.count
        self.pixelsPerImage = width
        self.pixels = []
        self.features = features
        self.labels = labels
        self.classes = classes
    }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledImages {
        func rows<T>(_ source: [T], zero: T) -> [T] {
            var out = [T](repeating: zero, count: indices.count * pixelsPerImage)
            out.withUnsafeMutableBufferPointer { out in
                source.withUnsafeBufferPointer { src in
                    for (k, i) in indices.enumerated() {
                        (out.baseAddress! + k * pixelsPerImage).update(from: src.baseAddress! + i * pixelsPerImage,
                                                                        count: pixelsPerImage)
                    }
                }
            }
            return out
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
        if isFloat {
            return LabeledImages(features: Array(features[0..<(n * pixelsPerImage)]), labels: Array(labels[0..<n]),
                                 width: pixelsPerImage, classes: classes)
        }
        return LabeledImages(pixels: Array(pixels[0..<(n * pixelsPerImage)]), labels: Array(labels[0..<n]),
                             pixelsPerImage: pixelsPerImage, classes: classes)
    }
}
