/// How `JSONValue.rendered(_:)` lays a document out.
public enum JSONLayout: Sendable, Equatable {
    /// One line, no spaces: `{"a":[1,2],"b":"x"}`.
    case compact
    /// Two-space indentation, one member or element per line, `": "` after keys; empty
    /// containers stay `{}` and `[]`.
    case pretty
}

extension JSONValue {
    /// The value as JSON text, for showing to people (tool inputs in rendered output).
    ///
    /// Deterministic: object keys are sorted (Swift `String` order), so the same value always
    /// renders the same bytes whatever order the members arrived in. Numbers that are integers
    /// print without a fraction (`3`, not `3.0`); others print in the shortest form that reads
    /// back as the same `Double`; a non-finite number (not representable in JSON, so never
    /// decoded, only constructed) prints as `null`. Strings are escaped as `JSONString.quote`
    /// does, so the output is valid JSON.
    public func rendered(_ layout: JSONLayout) -> String {
        var out = ""
        write(into: &out, layout: layout, depth: 0)
        return out
    }

    private func write(into out: inout String, layout: JSONLayout, depth: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let value): out += Self.number(value)
        case .string(let value): out += JSONString.quote(value)
        case .array(let elements):
            writeContainer(
                elements, open: "[", close: "]", into: &out, layout: layout, depth: depth
            ) { element, out in
                element.write(into: &out, layout: layout, depth: depth + 1)
            }
        case .object(let members):
            let separator = layout == .pretty ? ": " : ":"
            writeContainer(
                members.keys.sorted(), open: "{", close: "}", into: &out, layout: layout, depth: depth
            ) { key, out in
                out += JSONString.quote(key) + separator
                members[key]?.write(into: &out, layout: layout, depth: depth + 1)
            }
        }
    }

    /// Writes `open`, the items separated by commas (and, when pretty, each on its own
    /// indented line), then `close`.
    private func writeContainer<Item>(
        _ items: [Item], open: String, close: String, into out: inout String, layout: JSONLayout, depth: Int,
        item writeItem: (Item, inout String) -> Void
    ) {
        out += open
        defer { out += close }
        guard !items.isEmpty else { return }
        let pretty = layout == .pretty
        let inner = "\n" + String(repeating: "  ", count: depth + 1)
        for (offset, item) in items.enumerated() {
            if offset > 0 { out += "," }
            if pretty { out += inner }
            writeItem(item, &out)
        }
        if pretty { out += "\n" + String(repeating: "  ", count: depth) }
    }

    private static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if let integer = Int(exactly: value) { return String(integer) }
        return value.description
    }
}
