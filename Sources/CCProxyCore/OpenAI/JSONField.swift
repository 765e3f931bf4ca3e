/// Typed reads of request fields that fail with a 400 naming the field.
///
/// A JSON `null` reads as absent everywhere.
enum JSONField {
    /// A boolean, or nil when absent or null.
    /// - Throws: 400 `invalid_type` "`<path>` must be a boolean, not <type>" with `param`.
    static func bool(_ value: JSONValue?, _ path: String) throws(APIError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw wrongType(path, expected: "a boolean", got: other)
        }
    }

    /// A string, or nil when absent or null.
    /// - Throws: 400 `invalid_type` with `param` for any other type.
    static func string(_ value: JSONValue?, _ path: String) throws(APIError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw wrongType(path, expected: "a string", got: other)
        }
    }

    /// A string that must be present.
    /// - Throws: 400 `invalid_type` with `param` when absent, null or not a string.
    static func requiredString(_ value: JSONValue?, _ path: String) throws(APIError) -> String {
        guard let text = try string(value, path) else {
            throw APIError.invalidRequest("\(path) must be a string", code: "invalid_type", param: path)
        }
        return text
    }

    /// `<path> must be <expected>, not <type>`, code `invalid_type`, `param` = `path`.
    static func wrongType(_ path: String, expected: String, got value: JSONValue) -> APIError {
        APIError.invalidRequest(
            "\(path) must be \(expected), not \(value.typeName)", code: "invalid_type", param: path)
    }
}
