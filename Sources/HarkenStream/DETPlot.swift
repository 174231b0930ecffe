import Foundation

extension EvalReport {
    /// The DET curve as an SVG: false rejects against false accepts per hour (log scale).
    public func detSVG() -> String {
        let (w, h, m) = (560.0, 400.0, 50.0)
        func x(_ fa: Double) -> Double { m + (log10(max(fa, 0.01)) + 2) / 4 * (w - 2 * m) }   // 0.01 ... 100 per hour
        func y(_ frr: Double) -> Double { h - m - frr * (h - 2 * m) }
        let points = det.map { String(format: "%.1f,%.1f", x($0.falseAcceptsPerHour), y($0.falseRejectRate)) }.joined(separator: " ")
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        svg += String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>\n", m, h - m, w - m, h - m)
        svg += String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>\n", m, m, m, h - m)
        for fa in [0.01, 0.1, 1, 10, 100] {
            svg += String(format: "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%g</text>\n", x(fa), h - m + 16, fa)
        }
        for frr in [0, 0.25, 0.5, 0.75, 1] {
            svg += String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", m - 6, y(frr) + 4, frr)
        }
        svg += "<text x=\"\(Int(w / 2))\" y=\"\(Int(h - 12))\" text-anchor=\"middle\">false accepts per hour</text>\n"
        svg += "<text x=\"14\" y=\"\(Int(h / 2))\" transform=\"rotate(-90 14 \(Int(h / 2)))\" text-anchor=\"middle\">false reject rate</text>\n"
        svg += "<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\" points=\"\(points)\"/>\n"
        svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#c0392b\"/>\n", x(falseAcceptsPerHour), y(falseRejectRate))
        svg += "<text x=\"\(Int(w / 2))\" y=\"20\" text-anchor=\"middle\">\(model) (\(split)): cutoff \(String(format: "%.3f", cutoff)), FRR \(String(format: "%.1f", falseRejectRate * 100)) %, \(String(format: "%.2f", falseAcceptsPerHour)) FA/h</text>\n"
        return svg + "</svg>\n"
    }
}
