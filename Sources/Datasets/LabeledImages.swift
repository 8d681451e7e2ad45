/// A set of square grey-scale images with class labels, kept as the file's bytes (0...255).
///
/// Pixels stay `UInt8` (47 MB for MNIST's training set rather than 188 MB as Float); the engine
/// scales them to [0, 1] as it assembles each batch.
public struct LabeledImages: Sendable {
    /// Number of examples.
    public let count: Int
    /// Pixels per image (rows x columns).
    public let pixelsPerImage: Int
    /// `[count, pixelsPerImage]`, row-major.
    public let pixels: [UInt8]
    /// `[count]`, each in `0..<classes`.
    public let labels: [UInt8]
    /// Number of classes.
    public let classes: Int

    public init(pixels: [UInt8], labels: [UInt8], pixelsPerImage: Int, classes: Int) {
        precondition(pixels.count == labels.count * pixelsPerImage)
        self.count = labels.count
        self.pixelsPerImage = pixelsPerImage
        self.pixels = pixels
        self.labels = labels
        self.classes = classes
    }

    /// The examples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledImages {
        var newPixels = [UInt8](repeating: 0, count: indices.count * pixelsPerImage)
        newPixels.withUnsafeMutableBufferPointer { out in
            pixels.withUnsafeBufferPointer { src in
                for (k, i) in indices.enumerated() {
                    let from = src.baseAddress! + i * pixelsPerImage
                    (out.baseAddress! + k * pixelsPerImage).update(from: from, count: pixelsPerImage)
                }
            }
        }
        return LabeledImages(pixels: newPixels, labels: indices.map { labels[$0] }, pixelsPerImage: pixelsPerImage,
                             classes: classes)
    }

    /// The first `n` examples (all of them when `n` is nil or not smaller than `count`).
    public func prefix(_ n: Int?) -> LabeledImages {
        guard let n, n < count else { return self }
        return LabeledImages(pixels: Array(pixels[0..<(n * pixelsPerImage)]), labels: Array(labels[0..<n]),
                             pixelsPerImage: pixelsPerImage, classes: classes)
    }
}
