// CascadeStages+Plot.swift: what a cascade buys, as an SVG: the system's false accepts per hour
// against how often the Judge wakes, from a cascade report's curves. The Sentry alone lies on the
// diagonal (each wake-up that is not the phrase is a false accept); the cascade's points lie below
// it by what the Judge rejects.

import Foundation
import HarkenStream

extension Pipeline {
    public static func wakeupPlotSVG(_ r: CascadeReport, chosen: OperatingPoint?, title: String) -> String {
        let (w, h, m) = (600.0, 440.0, 60.0)
        // Four decades each way; a zero is drawn on the floor and labelled "0".
        let (lo, hi) = (0.1, 1000.0)
        let span = log10(hi) - log10(lo)
        func x(_ v: Double) -> Double { m + (log10(min(max(v, lo), hi)) - log10(lo)) / span * (w - 2 * m) }
        func y(_ v: Double) -> Double { h - m - (log10(min(max(v, lo), hi)) - log10(lo)) / span * (h - 2 * m) }
        func tick(_ v: Double) -> String { v == lo ? "0 / 0.1" : String(format: "%g", v) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        var v = lo
        while v <= hi * 1.0001 {
            s += String(format: "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ddd\"/>\n", x(v), m, x(v), h - m)
            s += String(format: "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", m, y(v), w - m, y(v))
            s += String(format: "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%@</text>\n", x(v), h - m + 16, tick(v) as NSString)
            s += String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%@</text>\n", m - 6, y(v) + 4, tick(v) as NSString)
            v *= 10
        }
        s += "<text x=\"\(Int(w / 2))\" y=\"\(Int(h - 14))\" text-anchor=\"middle\">Judge wake-ups per hour (Sentry triggers on negative audio)</text>\n"
        s += "<text x=\"16\" y=\"\(Int(h / 2))\" transform=\"rotate(-90 16 \(Int(h / 2)))\" text-anchor=\"middle\">system false accepts per hour</text>\n"
        let target = r.targetFalseAcceptsPerHour
        s += String(format: "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"5,4\"/>\n", m, y(target), w - m, y(target))
        s += String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#666\">target %g FA/h</text>\n", w - m - 4, y(target) + 14, target)

        func series(_ points: [CascadePoint], colour: String, label: String, row: Int) {
            let sorted = points.sorted { ($0.judgeWakeupsPerHour, $0.falseAcceptsPerHour.value) < ($1.judgeWakeupsPerHour, $1.falseAcceptsPerHour.value) }
            let line = sorted.map { String(format: "%.1f,%.1f", x($0.judgeWakeupsPerHour), y($0.falseAcceptsPerHour.value)) }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(line)\"/>\n"
            for p in sorted {
                let cut = p.judgeCutoff.map { String(format: ", Judge cutoff %g", $0) } ?? ""
                s += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"><title>Sentry cutoff %g%@: %.2f wake-ups/h, %.2f FA/h, FRR %.1f %%</title></circle>\n",
                            x(p.judgeWakeupsPerHour), y(p.falseAcceptsPerHour.value), colour as NSString, p.sentryCutoff, cut as NSString, p.judgeWakeupsPerHour,
                            p.falseAcceptsPerHour.value, p.falseRejectRate.value * 100)
            }
            s += "<text x=\"\(Int(m + 10))\" y=\"\(Int(m) + 16 * row)\" fill=\"\(colour)\">\(label)</text>\n"
        }
        series(r.sentryCurve, colour: "#1f5fbf", label: "Sentry alone (every wake-up a false accept)", row: 0)
        series(r.cascadeCurve, colour: "#c0392b", label: "Sentry + Judge (lowest FRR at each level)", row: 1)
        if let c = chosen {
            s += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"none\" stroke=\"black\" stroke-width=\"2\"/>\n",
                        x(c.judgeWakeupsPerHour), y(c.falseAcceptsPerHour))
            let how = c.point == "cascade" ? "cutoffs chosen on other audio" : "the best pair on this audio"
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\">%.2f wake-ups/h, %.2f FA/h, FRR %.1f %%</text>\n",
                        x(c.judgeWakeupsPerHour) + 10, y(c.falseAcceptsPerHour) + 18, c.judgeWakeupsPerHour, c.falseAcceptsPerHour,
                        c.falseRejectRate * 100)
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\">(%@)</text>\n", x(c.judgeWakeupsPerHour) + 10, y(c.falseAcceptsPerHour) + 32,
                        how as NSString)
        }
        let escaped = title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return s + "<text x=\"\(Int(w / 2))\" y=\"24\" text-anchor=\"middle\">\(escaped) (\(r.split), \(String(format: "%.2f", r.negativeHours)) h)</text>\n</svg>\n"
    }
}
