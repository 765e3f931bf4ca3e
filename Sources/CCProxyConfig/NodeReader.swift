import Yams

/// Reads typed values out of YAML nodes. A value of the wrong type is recorded as a problem
/// naming its key (`models[2].effort must be a string, not a list`) instead of stopping, so one
/// pass finds every problem. A YAML null (`key:`, `~`, `null`) always reads as "not set".
struct NodeReader {
    /// The problems found so far, in the order they were found.
    private(set) var problems: [String] = []

    mutating func report(_ problem: String) {
        problems.append(problem)
    }

    /// Whether the node is a YAML null.
    static func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return Self.tagName(node) == .null }
        return false
    }

    /// The text of a scalar, exactly as written (numbers and booleans included); nil for null.
    mutating func string(_ node: Node, key: String) -> String? {
        guard !Self.isNull(node) else { return nil }
        guard let scalar = node.scalar else {
            report("\(key) must be a string, not \(Self.kind(of: node))")
            return nil
        }
        return scalar.string
    }

    /// Like `string`, but an empty string also reads as "not set".
    mutating func nonEmptyString(_ node: Node, key: String) -> String? {
        guard let text = string(node, key: key), !text.isEmpty else { return nil }
        return text
    }

    /// `true`/`false` (YAML 1.1 spellings such as `yes`/`no` included); nil for null.
    mutating func bool(_ node: Node, key: String) -> Bool? {
        guard !Self.isNull(node) else { return nil }
        if let value = node.bool { return value }
        switch node.scalar?.string.lowercased() {
        case "true": return true
        case "false": return false
        default:
            report("\(key) must be true or false, not \(Self.describe(node))")
            return nil
        }
    }

    /// An integer; nil for null.
    mutating func integer(_ node: Node, key: String) -> Int? {
        guard !Self.isNull(node) else { return nil }
        if Self.tagName(node) == .int, let value = node.int { return value }
        if Self.tagName(node) == .str, let text = node.scalar?.string, let value = Int(text) { return value }
        report("\(key) must be an integer, not \(Self.describe(node))")
        return nil
    }

    /// A duration in seconds: a number of seconds or a string such as `90s`, `30m`, `1h30m`.
    /// Nil for null and for zero (both mean "use the default"); negative values and values
    /// over a year are problems (the cap keeps every consumer's conversion from overflowing).
    mutating func duration(_ node: Node, key: String) -> Double? {
        guard let seconds = durationAllowingZero(node, key: key) else { return nil }
        return seconds == 0 ? nil : seconds
    }

    /// Like `duration`, but zero is a value (for keys where 0 means "off"); nil only for null
    /// and problems.
    mutating func durationAllowingZero(_ node: Node, key: String) -> Double? {
        guard !Self.isNull(node) else { return nil }
        guard let scalar = node.scalar else {
            report("\(key) must be a duration, not \(Self.kind(of: node))")
            return nil
        }
        let seconds: Double?
        switch Self.tagName(node) {
        case .int: seconds = node.int.map(Double.init)
        case .float: seconds = node.float
        case .str: seconds = DurationParser.seconds(scalar.string)
        default: seconds = nil
        }
        guard let seconds, seconds.isFinite else {
            report("\(key) \(quoted(scalar.string)) is not a duration (use e.g. 90s, 30m, 1h30m, or a number of seconds)")
            return nil
        }
        guard seconds >= 0 else {
            report("\(key) \(quoted(scalar.string)) must not be negative")
            return nil
        }
        guard seconds <= ConfigurationSchema.maximumDurationSeconds else {
            report("\(key) \(quoted(scalar.string)) must be at most 8760h (one year)")
            return nil
        }
        return seconds
    }

    /// The entries of a mapping in file order; nil (and no problem) for null.
    ///
    /// - Parameters:
    ///   - key: the mapping's own key for messages, or nil for the document root.
    ///   - allowedKeys: when given, every other key is reported as unknown (and left out).
    mutating func entries(_ node: Node, key: String?, allowedKeys: [String]?) -> [(key: String, value: Node)]? {
        guard !Self.isNull(node) else { return nil }
        guard case .mapping(let mapping) = node else {
            report("\(key ?? "the configuration") must be a mapping of keys to values, not \(Self.kind(of: node))")
            return nil
        }
        var result: [(key: String, value: Node)] = []
        for (keyNode, value) in mapping {
            guard let name = keyNode.scalar?.string else {
                report("\(key.map { "\($0): " } ?? "")keys must be strings, not \(Self.kind(of: keyNode))")
                continue
            }
            if let allowedKeys, !allowedKeys.contains(name) {
                let hint = KeySuggestion.hint(for: name, among: allowedKeys)
                report("\(key.map { "\($0): " } ?? "")unknown key \(quoted(name))\(hint)")
                continue
            }
            result.append((name, value))
        }
        return result
    }

    /// The items of a sequence; nil (and no problem) for null.
    mutating func items(_ node: Node, key: String) -> [Node]? {
        guard !Self.isNull(node) else { return nil }
        guard case .sequence(let sequence) = node else {
            report("\(key) must be a list, not \(Self.kind(of: node))")
            return nil
        }
        return Array(sequence)
    }

    /// The node's resolved YAML tag (`!!str`, `!!int`, `!!null`, …).
    static func tagName(_ node: Node) -> Tag.Name {
        Tag.Name(rawValue: node.tag.rawValue)
    }

    /// "a mapping", "a list" or "a string", for type errors.
    static func kind(of node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar, .alias: return "a string"
        }
    }

    /// A scalar's text in quotes, or the kind of a collection.
    static func describe(_ node: Node) -> String {
        node.scalar.map { quoted($0.string) } ?? kind(of: node)
    }
}
