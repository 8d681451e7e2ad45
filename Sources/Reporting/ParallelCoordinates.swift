import Foundation
import Experiments

/// A parallel-coordinates chart of a search's trials (SVG): one vertical axis per sampled
/// parameter, most important first, and the figure the trials are read by on the right, better
/// up; one line per trial, shaded by its figure, the best 10% (the trials PED-ANOVA compares
/// against all) drawn in orange on top.
enum ParallelCoordinates {
    static func svg(_ importance: Importance, width: Double = 760, height: Double = 440) -> String {
        let order = importance.ranking.compactMap { item in importance.parameters.firstIndex { $0.key == item.key } }
        let axes = order.count + 1
        let width = max(width, 80 + Double(axes) * 130)
        let (left, right, top, bottom) = (70.0, width - 90, 64.0, height - 60)
        let spacing = (right - left) / Double(max(1, axes - 1))
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func ax(_ i: Int) -> Double { left + Double(i) * spacing }

        // Each axis maps a value to 0 (bottom) ... 1 (top).
        struct Axis { var label: String; var position: (Double) -> Double; var ticks: [(value: Double, text: String)] }
        func numericAxis(_ label: String, _ lo: Double, _ hi: Double, _ log: Bool) -> Axis {
            if log && lo > 0 {
                let (a, b) = (Foundation.log10(lo), Foundation.log10(hi))
                let decades = stride(from: a.rounded(.up), through: b.rounded(.down), by: 1).map { pow(10, $0) }
                let ticks = (decades.count >= 2 ? decades : [lo, hi]).map { ($0, LineChart.format($0)) }
                return Axis(label: label, position: { (Foundation.log10(max($0, 1e-300)) - a) / max(b - a, 1e-12) }, ticks: ticks)
            }
            let ticks = LineChart.ticks(lo, hi, target: 5).filter { $0 >= lo - 1e-12 && $0 <= hi + 1e-12 }
            return Axis(label: label, position: { ($0 - lo) / max(hi - lo, 1e-12) }, ticks: ticks.map { ($0, LineChart.format($0)) })
        }
        var scales: [Axis] = []
        for p in order {
            let parameter = importance.parameters[p]
            let label = "\(parameter.key) (\(String(format: "%.2f", importance.importances[p])))"
            switch parameter.distribution.kind {
            case .choice(let values):
                let n = max(1, values.count - 1)
                scales.append(Axis(label: label, position: { values.count == 1 ? 0.5 : $0 / Double(n) },
                                   ticks: values.enumerated().map { (Double($0.offset), $0.element.description) }))
            case .uniform(let low, let high, let log):
                scales.append(numericAxis(label, low, high, log))
            case .intUniform(let low, let high, let log):
                scales.append(numericAxis(label, Double(low), Double(high), log))
            }
        }
        let values = importance.trials.map(\.value)
        var (vLow, vHigh) = (values.min() ?? 0, values.max() ?? 1)
        if vHigh - vLow < 1e-12 { vLow -= 0.5; vHigh += 0.5 }
        let pad = (vHigh - vLow) * 0.04
        var vTicks = LineChart.ticks(vLow - pad, vHigh + pad, target: 5)
        // A percentage's axis stops at 100 and 0, as the line charts' do.
        if importance.metric.hasSuffix("accuracy") {
            if vTicks.last! > 100 { vTicks = vTicks.filter { $0 < 100 } + [100] }
            if vTicks.first! < 0 { vTicks = [0] + vTicks.filter { $0 > 0 } }
        }
        let (t0, t1) = (vTicks.first!, vTicks.last!)
        let minimize = importance.minimize
        let better: (Double) -> Double = { v in minimize ? (t1 - v) / (t1 - t0) : (v - t0) / (t1 - t0) }
        scales.append(Axis(label: "\(importance.metric) (better up)", position: better, ticks: vTicks.map { ($0, LineChart.format($0)) }))
        func py(_ u: Double) -> Double { bottom - min(max(u, 0), 1) * (bottom - top) }

        let title = "\(importance.experiment): \(importance.trials.count) trials across the sampled parameters"
        var s = """
            <svg xmlns="http://www.w3.org/2000/svg" class="parallel-coordinates" width="\(Int(width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(left - 50))" y="24" font-size="15" font-weight="bold">\(Markup.escape(title))</text>

            """
        // Lines: worst first, so the best lie on top; the best 10% last, in orange.
        let losses = importance.trials.map { minimize ? $0.value : -$0.value }
        let best = importance.isBest
        let ranked = importance.trials.indices.sorted { losses[$0] > losses[$1] }
        for t in ranked {
            let trial = importance.trials[t]
            let u = better(trial.value)
            let isTop = best[t]
            let points = (order.enumerated().map { (i, p) in "\(f(ax(i))),\(f(py(scales[i].position(trial.point[p]))))" }
                + ["\(f(ax(axes - 1))),\(f(py(u)))"]).joined(separator: " ")
            // Light blue-grey for the worst to dark blue for the best.
            let shade = min(max(u, 0), 1)
            let color = isTop ? "#e6550d" : String(format: "#%02x%02x%02x", Int(198 - 190 * shade), Int(219 - 171 * shade), Int(239 - 132 * shade))
            s += "<polyline class=\"trial\(isTop ? " top" : "")\" data-id=\"\(Markup.escape(trial.id))\" fill=\"none\" stroke=\"\(color)\" "
                + "stroke-width=\"\(isTop ? "2.2" : "1.2")\" stroke-opacity=\"\(isTop ? "0.95" : "0.7")\" points=\"\(points)\">"
                + "<title>\(Markup.escape(trial.name)): \(Markup.escape(importance.metric)) \(LineChart.format(trial.value))</title></polyline>\n"
        }
        for (i, axis) in scales.enumerated() {
            let x = ax(i)
            s += "<line x1=\"\(f(x))\" x2=\"\(f(x))\" y1=\"\(f(top))\" y2=\"\(f(bottom))\" stroke=\"#555\"/>\n"
            s += "<text class=\"axis-label\" x=\"\(f(x))\" y=\"\(f(top - 14))\" text-anchor=\"middle\" font-weight=\"bold\">\(Markup.escape(axis.label))</text>\n"
            for tick in axis.ticks {
                let y = py(axis.position(tick.value))
                s += "<line x1=\"\(f(x - 4))\" x2=\"\(f(x))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#555\"/>\n"
                s += "<text x=\"\(f(x - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" fill=\"#444\" stroke=\"white\" stroke-width=\"3\" "
                    + "paint-order=\"stroke\">\(Markup.escape(tick.text))</text>\n"
            }
        }
        let legendY = height - 24
        s += "<line x1=\"\(f(left))\" x2=\"\(f(left + 26))\" y1=\"\(f(legendY))\" y2=\"\(f(legendY))\" stroke=\"#e6550d\" stroke-width=\"3\"/>\n"
        s += "<text x=\"\(f(left + 32))\" y=\"\(f(legendY + 4))\">the best 10% (\(importance.topCount) trials), what PED-ANOVA compares with all; "
            + "other trials blue, darker for better; importance beside each name</text>\n"
        return s + "</svg>\n"
    }
}
