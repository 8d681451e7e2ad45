import Foundation

/// A self-contained SVG line chart: axes with round ticks, gridlines, one line per series,
/// and a legend. Written by hand because it is small and no Swift package does it.
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var label: String
        public var points: [(x: Double, y: Double)]
        /// A shaded band around the line (a 95% interval), or error bars at each point.
        public var band: [(x: Double, low: Double, high: Double)]
        public var bandStyle: BandStyle
        /// Drawn (clipped to the plot) but left out of the y range, and marked in the legend:
        /// for a diverged run, whose losses would flatten every other line.
        public var outlier: Bool
        /// Dashed in its colour: a companion line (e.g. training figures beside test ones).
        public var companion: Bool
        /// The palette slot to draw with, when not the series' position (a companion shares
        /// its partner's colour).
        public var styleIndex: Int?

        public enum BandStyle: Sendable { case shaded, errorBars }

        public init(label: String, points: [(x: Double, y: Double)], band: [(x: Double, low: Double, high: Double)] = [],
                    bandStyle: BandStyle = .shaded, outlier: Bool = false, companion: Bool = false, styleIndex: Int? = nil) {
            self.label = label
            self.points = points
            self.band = band
            self.bandStyle = bandStyle
            self.outlier = outlier
            self.companion = companion
            self.styleIndex = styleIndex
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
    /// A value the y axis never goes below (0 for percentages, whatever a band says).
    public var yFloor: Double?
    /// A logarithmic x axis (learning rates); the x values must be positive.
    public var xLog: Bool
    /// x ticks at whole numbers only (epochs); otherwise at the series' own x values.
    public var xIntegers: Bool

    public init(title: String, xLabel: String, yLabel: String, series: [Series], yIncludesZero: Bool,
                yCeiling: Double? = nil, yFloor: Double? = nil, xLog: Bool = false, xIntegers: Bool = true) {
        self.yFloor = yFloor
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yIncludesZero = yIncludesZero
        self.yCeiling = yCeiling
        self.xLog = xLog
        self.xIntegers = xIntegers
    }

    /// Colour-blind-safe palette (Tableau 10).
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                          "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
    /// Dash patterns, combined with the palette: 50 distinct styles before any repeats.
    static let dashes = ["", "7 3", "2 3", "9 3 2 3", "1 5"]

    /// The colour and dash pattern of series `i`.
    static func style(_ i: Int) -> (color: String, dash: String) {
        (palette[i % palette.count], dashes[(i / palette.count) % dashes.count])
    }

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

    /// Most points a curve is drawn with: a plot is about 600 pixels wide, so a million-epoch
    /// run needs no more than this (the report stays small).
    static let maxPoints = 1500

    /// At most `maxPoints` points of a curve (and its first and last): per run of consecutive
    /// points, the lowest and the highest (in x order), so the curve's envelope, its spikes
    /// included, is what is drawn.
    static func thinned(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        guard points.count > maxPoints else { return points }
        let bucket = (points.count + maxPoints / 2 - 1) / (maxPoints / 2)
        var out: [(x: Double, y: Double)] = []
        var start = 0
        while start < points.count {
            let slice = points[start..<min(start + bucket, points.count)]
            let lo = slice.indices.min { points[$0].y < points[$1].y }!, hi = slice.indices.max { points[$0].y < points[$1].y }!
            for i in Set([lo, hi]).sorted() { out.append(points[i]) }
            start += bucket
        }
        // The curve starts and ends where it does.
        if out.first.map({ $0.x != points[0].x }) ?? false { out.insert(points[0], at: 0) }
        if out.last.map({ $0.x != points.last!.x }) ?? false { out.append(points.last!) }
        return out
    }

    /// A band thinned as its curve: every `bucket`-th interval and the last, widened to the
    /// lowest low and highest high of its run.
    static func thinned(_ band: [(x: Double, low: Double, high: Double)]) -> [(x: Double, low: Double, high: Double)] {
        guard band.count > maxPoints else { return band }
        let bucket = (band.count + maxPoints - 1) / maxPoints
        return stride(from: 0, to: band.count, by: bucket).map { start in
            let slice = band[start..<min(start + bucket, band.count)]
            return (slice.first!.x, slice.map(\.low).min()!, slice.map(\.high).max()!)
        }
    }

    /// The chart as an SVG document. The canvas grows with the legend (one 18-pixel line per
    /// series, as wide as the longest label), so the legend is never clipped.
    public func svg(width: Double = 760, height: Double = 460) -> String {
        // Bands and error bars drawn within the metric's range (an interval from two runs can
        // reach past 100% or below 0); the tables keep the true interval.
        let low = yFloor ?? -Double.infinity, high = yCeiling ?? Double.infinity
        let series = self.series.map { serie in
            var s = serie
            s.band = LineChart.thinned(serie.band.map { ($0.x, min(max($0.low, low), high), min(max($0.high, low), high)) })
            s.points = LineChart.thinned(serie.points)
            return s
        }
        let longest = Double(series.map { $0.label.count + ($0.outlier ? 11 : 0) }.max() ?? 10)
        let legendWidth = 56 + 6.8 * longest
        let width = max(width, 64 + 600 + legendWidth + 16)
        let height = max(height, 40 + 8 + Double(series.count) * 18 + 24)
        let (left, right, top, bottom) = (64.0, width - legendWidth - 16, 40.0, height - 52)
        let scaled = series.filter { !$0.outlier }
        var xs = series.flatMap(\.points).map(\.x)
        var ys = scaled.flatMap(\.points).map(\.y) + scaled.flatMap(\.band).flatMap { [$0.low, $0.high] }
        if xs.isEmpty { xs = [0, 1] }
        if ys.isEmpty { ys = series.flatMap(\.points).map(\.y).filter(\.isFinite) }
        if ys.isEmpty { ys = [0, 1] }
        ys = ys.filter(\.isFinite)
        if ys.isEmpty { ys = [0, 1] }
        // x: epochs as whole ticks; otherwise the values themselves (a swept parameter).
        func tx(_ x: Double) -> Double { xLog ? log10(max(x, 1e-300)) : x }
        let xValues = Array(Set(xs)).sorted()
        var xTicks: [Double]
        if xIntegers {
            xTicks = LineChart.ticks(min(xs.min()!, 1), max(xs.max()!, 1), target: 10, integers: true)
        } else {
            xTicks = xValues
        }
        var yLow = ys.min()!, yHigh = ys.max()!
        if yIncludesZero { yLow = min(0, yLow) }
        if let floor = yFloor { yLow = max(yLow, floor); yHigh = max(yHigh, yLow) }
        if yHigh - yLow < 1e-9 { yHigh = yLow + 1 }
        let pad = (yHigh - yLow) * 0.04
        var yTicks = LineChart.ticks(yIncludesZero ? yLow : yLow - pad, yHigh + pad)
        // A ceiling caps ticks that would pass it (accuracy never above 100), and stays off
        // an axis whose data end well below it.
        if let ceiling = yCeiling, yHigh <= ceiling, yTicks.last! > ceiling {
            yTicks = yTicks.filter { $0 < ceiling } + [ceiling]
        }
        if let floor = yFloor, yLow >= floor, yTicks.first! < floor {
            yTicks = [floor] + yTicks.filter { $0 > floor }
        }
        var (x0, x1) = (tx(xTicks.first!), tx(xTicks.last!))
        if x1 - x0 < 1e-12 { x0 -= 0.5; x1 += 0.5 }
        if !xIntegers { let m = (x1 - x0) * 0.06; x0 -= m; x1 += m }
        let (y0, y1) = (yTicks.first!, yTicks.last!)
        func px(_ x: Double) -> Double { left + (tx(x) - x0) / (x1 - x0) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - y0) / (y1 - y0) * (bottom - top) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        // Unique per chart, so that several charts inlined in one page keep their own clip.
        let clipID = "plot-" + String(title.unicodeScalars.reduce(UInt32(2166136261)) { ($0 ^ $1.value) &* 16777619 }, radix: 16)

        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <defs><clipPath id="\(clipID)"><rect x="\(f(left))" y="\(f(top))" width="\(f(right - left))" height="\(f(bottom - top))"/></clipPath></defs>
            <text x="\(f(left))" y="24" font-size="15" font-weight="bold">\(Markup.escape(title))</text>

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
        s += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(height - 14))\" text-anchor=\"middle\">\(Markup.escape(xLabel + (xLog ? " (log scale)" : "")))</text>\n"
        s += "<text transform=\"translate(16 \(f((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(Markup.escape(yLabel))</text>\n"
        s += "<g clip-path=\"url(#\(clipID))\">\n"
        // Bands first, under every line.
        for (i, serie) in series.enumerated() where !serie.band.isEmpty && serie.bandStyle == .shaded {
            let color = LineChart.style(serie.styleIndex ?? i).color
            let upper = serie.band.map { "\(f(px($0.x))),\(f(py($0.high)))" }
            let lower = serie.band.reversed().map { "\(f(px($0.x))),\(f(py($0.low)))" }
            s += "<polygon fill=\"\(color)\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\((upper + lower).joined(separator: " "))\"/>\n"
        }
        for (i, serie) in series.enumerated() {
            let (color, dashPattern) = LineChart.style(serie.styleIndex ?? i)
            let pattern = serie.companion ? "3 3" : serie.outlier ? "1 3" : dashPattern
            let dash = pattern.isEmpty ? "" : " stroke-dasharray=\"\(pattern)\""
            let points = serie.points.filter { $0.y.isFinite }.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            s += "<polyline class=\"series\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(dash) points=\"\(points)\"/>\n"
            if serie.points.count <= 40 {
                for p in serie.points where p.y.isFinite {
                    s += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"2.5\" fill=\"\(color)\"/>\n"
                }
            }
            if serie.bandStyle == .errorBars {
                for b in serie.band {
                    let x = f(px(b.x))
                    s += "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(f(py(b.low)))\" y2=\"\(f(py(b.high)))\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
                    for y in [b.low, b.high] {
                        s += "<line x1=\"\(f(px(b.x) - 4))\" x2=\"\(f(px(b.x) + 4))\" y1=\"\(f(py(y)))\" y2=\"\(f(py(y)))\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
                    }
                }
            }
        }
        s += "</g>\n"
        for (i, serie) in series.enumerated() {
            let (color, dashPattern) = LineChart.style(serie.styleIndex ?? i)
            let pattern = serie.companion ? "3 3" : serie.outlier ? "1 3" : dashPattern
            let dash = pattern.isEmpty ? "" : " stroke-dasharray=\"\(pattern)\""
            let ly = top + 8 + Double(i) * 18
            s += "<line class=\"legend\" x1=\"\(f(right + 14))\" x2=\"\(f(right + 40))\" y1=\"\(f(ly))\" y2=\"\(f(ly))\" stroke=\"\(color)\" stroke-width=\"3\"\(dash)/>\n"
            s += "<text x=\"\(f(right + 46))\" y=\"\(f(ly + 4))\">\(Markup.escape(serie.label + (serie.outlier ? " (diverged)" : "")))</text>\n"
        }
        return s + "</svg>\n"
    }
}
