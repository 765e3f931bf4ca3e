#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Any JSON value, for the few places where a document's shape must be checked by hand
/// (request bodies, tool inputs) rather than decoded into a fixed type.
///
/// Booleans and numbers stay distinct: `true` never reads as `1` and `1` never as `true`.
public enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            if let count = array.count { values.reserveCapacity(count) }
            while !array.isAtEnd { values.append(try array.decode(JSONValue.self)) }
            self = .array(values)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var values: [String: JSONValue] = [:]
            for key in object.allKeys { values[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(values)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let bool = try? single.decode(Bool.self) {
            self = .bool(bool)
        } else if let string = try? single.decode(String.self) {
            self = .string(string)
        } else {
            self = .number(try single.decode(Double.self))
        }
    }

    /// Parses `bytes` as one JSON document.
    ///
    /// - Throws: a short human-readable reason when `bytes` is not valid JSON.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw JSONParseError(reason: "empty body")
        }
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw JSONParseError(reason: Self.reason(error))
        } catch {
            throw JSONParseError(reason: "invalid JSON")
        }
    }

    /// The value under `key` when `self` is an object; nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The name of the JSON type, for error messages (`object`, `array`, `string`, …).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    private static func reason(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context):
            if let underlying = context.underlyingError {
                return "invalid JSON (\(String(describing: underlying).prefix(200)))"
            }
            return "invalid JSON"
        default:
            return "invalid JSON"
        }
    }
}

/// Why a document is not valid JSON.
public struct JSONParseError: Error, Sendable, Equatable {
    public var reason: String
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
