import Datasets
import Experiments
import Foundation
import MLP
import Results
import Vocabulary

/// A run's feature scaling for a dataset of files (`scale:`), fitted on the run's own training
/// examples (after the validation split is held out, after `train_subset`), applied to every
/// batch the engine assembles as (x - shift) / divisor, and kept in the run's folder
/// (`scaling.json`) so the trained network can be used on new data. scikit-learn's rules:
/// standardize divides by the population standard deviation, a constant feature (no spread)
/// by 1; minmax maps the training range onto [0, 1].
public struct Scaling: Sendable, Equatable {
    public var scale: FileDataset.Scale
    public var shift: [Float]
    public var divisor: [Float]

    public static let file = RunStore.scalingFile

    public init(_ scale: FileDataset.Scale, fittedOn train: LabeledImages) {
        self.scale = scale
        let n = train.count, width = train.pixelsPerImage
        switch scale {
        case .none:
            shift = []
            divisor = []
        case .divide(let d):
            shift = [Float](repeating: 0, count: width)
            divisor = [Float](repeating: Float(d), count: width)
        case .standardize, .minmax:
            // Sums in Double, feature by feature over the rows (one pass each).
            var low = [Double](repeating: .infinity, count: width), high = [Double](repeating: -.infinity, count: width)
            var sum = [Double](repeating: 0, count: width), squares = [Double](repeating: 0, count: width)
            train.features.withUnsafeBufferPointer { x in
                for r in 0..<n {
                    for j in 0..<width {
                        let v = Double(x[r * width + j])
                        sum[j] += v
                        low[j] = min(low[j], v)
                        high[j] = max(high[j], v)
                    }
                }
                for r in 0..<n {
                    for j in 0..<width {
                        let d = Double(x[r * width + j]) - sum[j] / Double(n)
                        squares[j] += d * d
                    }
                }
            }
            if scale == .standardize {
                shift = sum.map { Float($0 / Double(n)) }
                divisor = squares.map { let sd = ($0 / Double(n)).squareRoot(); return sd > 0 ? Float(sd) : 1 }
            } else {
                shift = low.map { Float($0) }
                divisor = zip(low, high).map { $1 > $0 ? Float($1 - $0) : 1 }
            }
        }
    }

    /// The JSON kept beside the run's metrics: the kind, then per feature shift and divisor,
    /// and the class names when the labels were names.
    public func json(classNames: [String]?) -> String {
        func list(_ v: [Float]) -> String { "[" + v.map { "\($0)" }.joined(separator: ", ") + "]" }
        let names = classNames.map { "[" + $0.map { JSON.quote($0) }.joined(separator: ", ") + "]" } ?? "null"
        return "{\n  \"scale\": \(JSON.quote(scale.description)),\n  \"shift\": \(list(shift)),\n"
            + "  \"divisor\": \(list(divisor)),\n  \"class_names\": \(names)\n}\n"
    }
}


extension Scaling {
    init(scale: FileDataset.Scale, shift: [Float], divisor: [Float]) {
        self.scale = scale
        self.shift = shift
        self.divisor = divisor
    }

    /// A run's scaling.json: the scaling and the class names; nil when it is not one runner wrote.
    public static func read(_ path: String) -> (scaling: Scaling, classNames: [String]?)? {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let kind = object["scale"] as? String, let scale = FileDataset.Scale(canonical: kind),
              let shift = object["shift"] as? [Double], let divisor = object["divisor"] as? [Double],
              shift.count == divisor.count else { return nil }
        return (Scaling(scale: scale, shift: shift.map(Float.init), divisor: divisor.map(Float.init)),
                object["class_names"] as? [String])
    }
}
