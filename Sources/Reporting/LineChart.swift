import Foundation

/// A self-contained SVG line chart: axes with round ticks, gridlines, one line per series,
/// and a legend. Written by hand because it is small and no Swift package does it.
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var label: String
        public var points: [(x: Double, y: Double)]

        public init(label: String, points: [(x: Double, y: Double)]) {
            self.label = label
            self.points = points
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Force the y axis to include zero (losses) or not (accuracies, to show differences).
    public var yIncludesZero: Bool
    /// A value the y axis never goes past (100 for percentages).
    public var yCeiling: Double?

    public init(title: String, xLabel: String, yLabel: String, series: [Series], yIncludesZero: Bool,
                yCeiling: Double? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yIncludesZero = yIncludesZero
        self.yCeiling = yCeiling
    }

    /// Colour-blind-safe palette (Tableau 10); past ten series lines also get dashes.
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                          "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    /// Round tick values covering `low...high`, about `target` of them; whole numbers only
    /// when `integers` (epochs).
    static func ticks(_ low: Double, _ high: Double, target: Int = 6, integers: Bool = false) -> [Double] {
        let span = max(high - low, 1e-9)
        let raw = span / Double(target)
        let magnitude = pow(10, floor(log10(raw)))
        var step = (integers ? [1.0, 2, 5, 10] : [1.0, 2, 2.5, 5, 10]).map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        if integers { step = max(1, step.rounded(.up)) }
        var t = (low / step).rounded(.down) * step
        var out: [Double] = []
        while t <= high + step * 1e-6 {
            out.append(t)
            t += step
        }
        if out.last! < high { out.append(t) }
        return out
    }

    static func format(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        return String(format: "%g", (v * 1e6).rounded() / 1e6)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// The chart as an SVG document.
    public func svg(width: Double = 760, height: Double = 460) -> String {
        let all = series.flatMap(\.points)
        let legendWidth = min(300, 40 + 7 * Double(series.map(\.label.count).max() ?? 10))
        let (left, right, top, bottom) = (64.0, width - legendWidth - 16, 40.0, height - 52)
        var xs = all.map(\.x), ys = all.map(\.y)
        if xs.isEmpty { xs = [0, 1]; ys = [0, 1] }
        let xTicks = LineChart.ticks(min(xs.min()!, 1), max(xs.max()!, 1), target: 10, integers: true)
        var yLow = ys.min()!, yHigh = ys.max()!
        if yIncludesZero { yLow = min(0, yLow) }
        if yHigh - yLow < 1e-9 { yHigh = yLow + 1 }
        let pad = (yHigh - yLow) * 0.04
        var yTicks = LineChart.ticks(yIncludesZero ? yLow : yLow - pad, yHigh + pad)
        if let ceiling = yCeiling, yHigh <= ceiling {
            yTicks = yTicks.filter { $0 < ceiling } + [ceiling]
        }
        let (x0, x1, y0, y1) = (xTicks.first!, xTicks.last!, yTicks.first!, yTicks.last!)
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - y0) / (y1 - y0) * (bottom - top) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(left))" y="24" font-size="15" font-weight="bold">\(LineChart.escape(title))</text>

            """
        for t in yTicks {
            s += "<line x1=\"\(f(left))\" x2=\"\(f(right))\" y1=\"\(f(py(t)))\" y2=\"\(f(py(t)))\" stroke=\"#e5e5e5\"/>\n"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\" fill=\"#444\">\(LineChart.format(t))</text>\n"
        }
        for t in xTicks {
            s += "<line x1=\"\(f(px(t)))\" x2=\"\(f(px(t)))\" y1=\"\(f(top))\" y2=\"\(f(bottom))\" stroke=\"#f0f0f0\"/>\n"
            s += "<text x=\"\(f(px(t)))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\" fill=\"#444\">\(LineChart.format(t))</text>\n"
        }
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"#999\"/>\n"
        s += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(height - 14))\" text-anchor=\"middle\">\(LineChart.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(16 \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(LineChart.escape(yLabel))</text>\n"
        for (i, serie) in series.enumerated() {
            let color = LineChart.palette[i % LineChart.palette.count]
            let dash = i >= LineChart.palette.count ? " stroke-dasharray=\"6 3\"" : ""
            let points = serie.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash) points=\"\(points)\"/>\n"
            if serie.points.count <= 40 {
                for p in serie.points {
                    s += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"2.5\" fill=\"\(color)\"/>\n"
                }
            }
            let ly = top + 8 + Double(i) * 18
            s += "<line x1=\"\(f(right + 14))\" x2=\"\(f(right + 36))\" y1=\"\(f(ly))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"3\"\(dash)/>\n"
            s += "<text x=\"\(f(right + 42))\" y=\"\(f(ly + 4))\">\(LineChart.escape(serie.label))</text>\n"
        }
        return s + "</svg>\n"
    }
}
