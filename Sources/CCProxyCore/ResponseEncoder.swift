#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The one way response bodies are serialised: Foundation's `JSONEncoder` with sorted keys, so
/// that output is byte-for-byte deterministic (the encoder's own key order follows a hash
/// table whose seed changes per process), and `/` left unescaped.
///
/// Not thread-safe: each turn (or each response) uses its own value.
public struct ResponseEncoder {
    private let encoder: JSONEncoder

    public init() {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// `value` as JSON bytes. Encoding the types of this module cannot fail (they hold only
    /// strings, integers, booleans and enums), so a failure is reported as an error object
    /// rather than trapping.
    public func encode(_ value: some Encodable) -> [UInt8] {
        do {
            return Array(try encoder.encode(value))
        } catch {
            return Array(#"{"error":{"message":"response encoding failed","type":"server_error","param":null,"code":null}}"#.utf8)
        }
    }

    /// `value` as a JSON document with a trailing newline (a response body).
    public func body(_ value: some Encodable) -> [UInt8] {
        var bytes = encode(value)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// `value` as one server-sent event: `data: <json>\n\n`.
    public func event(_ value: some Encodable) -> [UInt8] {
        var out: [UInt8] = Array("data: ".utf8)
        out.append(contentsOf: encode(value))
        out.append(contentsOf: [UInt8(ascii: "\n"), UInt8(ascii: "\n")])
        return out
    }
}
