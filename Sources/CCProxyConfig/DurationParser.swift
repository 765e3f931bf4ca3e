/// Durations as the configuration writes them: Go-style strings (`90s`, `30m`, `1h30m`,
/// `500ms`, `1.5h`; units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`) or a bare number of seconds.
enum DurationParser {
    private static let unitSeconds: [String: Double] = [
        "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600,
    ]

    /// The duration in seconds (possibly negative), or nil if the text is not a duration.
    static func seconds(_ text: String) -> Double? {
        var rest = Substring(text)
        var sign = 1.0
        if rest.hasPrefix("-") || rest.hasPrefix("+") {
            sign = rest.hasPrefix("-") ? -1 : 1
            rest = rest.dropFirst()
        }
        if let bare = number(rest) {
            return sign * bare
        }
        var total = 0.0
        var sawComponent = false
        while !rest.isEmpty {
            let numberText = rest.prefix { $0.isASCIIDigit || $0 == "." }
            rest = rest.dropFirst(numberText.count)
            let unitText = rest.prefix { !($0.isASCIIDigit || $0 == ".") }
            rest = rest.dropFirst(unitText.count)
            guard let value = number(numberText), let unit = unitSeconds[String(unitText)] else {
                return nil
            }
            total += value * unit
            sawComponent = true
        }
        guard sawComponent, total.isFinite else { return nil }
        return sign * total
    }

    /// A plain decimal number (`90`, `1.5`, `.5`, `2.`), or nil.
    private static func number(_ text: Substring) -> Double? {
        guard !text.isEmpty, text != ".", text.allSatisfy({ $0.isASCIIDigit || $0 == "." }),
            text.filter({ $0 == "." }).count <= 1, let value = Double(text), value.isFinite
        else { return nil }
        return value
    }
}
