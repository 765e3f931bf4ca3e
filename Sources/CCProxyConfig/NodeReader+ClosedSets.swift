import CCProxyCore
import Yams

extension NodeReader {
    /// A value from a closed set, spelt exactly as its raw value (case-sensitive, no aliases);
    /// nil for null and the empty string ("not set").
    ///
    /// Any other text is reported as `<key> "<text>" must be one of: a, b, c (or empty)`.
    mutating func oneOf<Value: RawRepresentable & CaseIterable>(
        _ node: Node, key: String, as type: Value.Type
    ) -> Value? where Value.RawValue == String {
        guard let text = nonEmptyString(node, key: key) else { return nil }
        if let value = Value(rawValue: text) { return value }
        let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
        report("\(key) \(quoted(text)) must be one of: \(allowed) (or empty)")
        return nil
    }

    /// `default_verbosity`: `text-only`, `verbose` or `narrated` exactly (the header's
    /// spellings `text` and `default` are not accepted here); nil for null or empty.
    mutating func verbosity(_ node: Node, key: String) -> Verbosity? {
        guard let text = nonEmptyString(node, key: key) else { return nil }
        if let value = Verbosity(rawValue: text) { return value }
        report("\(key) \(quoted(text)) must be text-only, verbose, or narrated")
        return nil
    }
}
