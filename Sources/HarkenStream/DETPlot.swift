import Foundation

/// DET curves as an SVG: false rejects against false accepts per hour (log scale, 0.01 to 100).
public struct DETPlot {
    public struct Curve {
        public var label: String
        public var colour: String
        /// (false accepts per hour, false reject rate), in sweep order.
        public var points: [(fa: Double, frr: Double)]
        /// The operating point, drawn as a dot.
        public var mark: (fa: Double, frr: Double)?

        public init(label: String, colour: String, points: [(fa: Double, frr: Double)], mark: (fa: Double, frr: Double)? = nil) {
            self.label = label; self.colour = colour; self.points = points; self.mark = mark
        }
    }

    public var title: String
    public var curves: [Curve]

    public init(title: String, curves: [Curve]) { self.title = title; self.curves = curves }

    public var svg: String {
        let (w, h, m) = (560.0, 400.0, 50.0)
        func x(_ fa: Double) -> Double { m + (log10(max(fa, 0.01)) + 2) / 4 * (w - 2 * m) }
        func y(_ frr: Double) -> Double { h - m - frr * (h - 2 * m) }
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
        for (i, c) in curves.enumerated() {
            let points = c.points.map { String(format: "%.1f,%.1f", x($0.fa), y($0.frr)) }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(c.colour)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            if let mark = c.mark {
                svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%@\"/>\n", x(mark.fa), y(mark.frr), c.colour)
            }
            if curves.count > 1 {
                svg += "<text x=\"\(Int(w - m))\" y=\"\(Int(m) + 16 * i)\" text-anchor=\"end\" fill=\"\(c.colour)\">\(c.label)</text>\n"
            }
        }
        return svg + "<text x=\"\(Int(w / 2))\" y=\"20\" text-anchor=\"middle\">\(title)</text>\n</svg>\n"
    }
}

extension EvalReport {
    /// The DET curve, with the chosen operating point.
    public func detSVG() -> String {
        DETPlot(title: "\(model) (\(split)): cutoff \(String(format: "%.3f", cutoff)), FRR \(String(format: "%.1f", falseRejectRate * 100)) %, \(String(format: "%.2f", falseAcceptsPerHour)) FA/h",
                curves: [.init(label: model, colour: "#1f5fbf", points: det.map { ($0.falseAcceptsPerHour, $0.falseRejectRate) },
                               mark: (falseAcceptsPerHour, falseRejectRate))]).svg
    }
}

extension CascadeReport {
    /// The Sentry alone and the cascade side by side.
    public func detSVG() -> String {
        func pts(_ c: [CascadePoint]) -> [(fa: Double, frr: Double)] { c.map { ($0.falseAcceptsPerHour.value, $0.falseRejectRate.value) } }
        let mark = (cascade ?? cascadeBest).map { ($0.falseAcceptsPerHour.value, $0.falseRejectRate.value) }
        return DETPlot(title: "Sentry alone and Sentry + Judge (\(split), \(String(format: "%.2f", negativeHours)) h)",
                       curves: [.init(label: "Sentry alone", colour: "#1f5fbf", points: pts(sentryCurve),
                                      mark: sentryAlone.map { ($0.falseAcceptsPerHour.value, $0.falseRejectRate.value) }),
                                .init(label: "Sentry + Judge", colour: "#c0392b", points: pts(cascadeCurve), mark: mark)]).svg
    }
}
