import CCProxyCore
import Foundation

/// A frame that cannot be part of the conversation: the receiver closes the websocket with
/// `description` as the reason (a request it merely cannot serve is answered instead).
public enum BridgeFrameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Larger than `Limits.maxBridgeFrameBytes`, refused before any decoding.
    case tooLarge(Int)
    /// Not a JSON object of the envelope's shape.
    case malformed(String)
    /// A member the frame's type requires (`id` of req/resp, `method` of req/event).
    case missingMember(String)
    case unknownType(String)

    public var description: String {
        switch self {
        case .tooLarge(let n): "frame too large: \(n) bytes (limit \(Limits.maxBridgeFrameBytes))"
        case .malformed(let why): "malformed frame: \(why)"
        case .missingMember(let name): "malformed frame: missing \(name)"
        case .unknownType(let t): "unknown frame type: \(t)"
        }
    }
}

/// What the envelope says about a frame, before its body is decoded by type.
public enum BridgeFrameHead: Equatable, Sendable {
    case request(id: UInt64, method: String)
    case response(id: UInt64, error: BridgeError?)
    case event(name: String)
}

/// The one envelope of the bridge, both ways, as JSON text messages:
/// `{"id":…,"type":"req|resp|event","method":…,"params":{…},"result":{…},"error":{"code","message"}}`.
///
/// Decoding is two-step: `head(of:)` reads the envelope only, then the receiver, knowing
/// the method (a request, an event) or what it asked (a response), decodes the body into
/// its type. Byte fields are base64. Encoded frames have sorted keys and unescaped
/// slashes, so that the same value always gives the same bytes (the golden tests).
public enum BridgeCodec {
    public static func head(of frame: Data) throws(BridgeFrameError) -> BridgeFrameHead {
        guard frame.count <= Limits.maxBridgeFrameBytes else { throw .tooLarge(frame.count) }
        let head: Head
        do {
            head = try JSONDecoder().decode(Head.self, from: frame)
        } catch {
            throw .malformed(describe(error))
        }
        guard let type = head.type else { throw .missingMember("type") }
        switch BridgeFrameKind(rawValue: type) {
        case .req:
            guard let id = head.id else { throw .missingMember("id") }
            guard let method = head.method else { throw .missingMember("method") }
            return .request(id: id, method: method)
        case .resp:
            guard let id = head.id else { throw .missingMember("id") }
            return .response(id: id, error: head.error)
        case .event:
            guard let method = head.method else { throw .missingMember("method") }
            return .event(name: method)
        case nil:
            throw .unknownType(type)
        }
    }

    /// The `result` of a successful `resp` frame, as the type the request expects.
    public static func result<R: Decodable>(_ type: R.Type, of frame: Data) throws(BridgeFrameError) -> R {
        do {
            if let r = try JSONDecoder().decode(ResultCarrier<R>.self, from: frame).result { return r }
            return try JSONDecoder().decode(R.self, from: BridgeCodec.emptyObject)
        } catch {
            throw .malformed("result: \(describe(error))")
        }
    }

    /// The typed event of an `event` frame; nil for an event this version does not know
    /// (a newer peer's), which the receiver ignores.
    public static func event(named name: String, of frame: Data) throws(BridgeFrameError) -> BridgeEvent? {
        do {
            switch BridgeEventName(rawValue: name) {
            case .watch:
                guard let p = try JSONDecoder().decode(ParamsOf<WatchEvent>.self, from: frame).params else {
                    throw BridgeFrameError.missingMember("params")
                }
                return .watch(p)
            case .bye:
                let p = try JSONDecoder().decode(ParamsOf<ByeEvent>.self, from: frame).params
                return .bye(p ?? ByeEvent(reason: nil))
            case nil:
                return nil
            }
        } catch let error as BridgeFrameError {
            throw error
        } catch {
            throw .malformed("event params: \(describe(error))")
        }
    }

    // MARK: Encoding

    public static func request(id: UInt64, method: BridgeMethod, params: some Encodable) -> Data {
        encode(Frame(id: id, type: .req, method: method.rawValue, params: params))
    }

    public static func response(id: UInt64, result: some Encodable) -> Data {
        encode(Frame(id: id, type: .resp, result: result))
    }

    public static func failure(id: UInt64, _ error: BridgeError) -> Data {
        encode(Frame<EmptyResult>(id: id, type: .resp, error: error))
    }

    public static func event(_ event: BridgeEvent) -> Data {
        switch event {
        case .watch(let p): encode(Frame(type: .event, method: event.name.rawValue, params: p))
        case .bye(let p): encode(Frame(type: .event, method: event.name.rawValue, params: p))
        }
    }

    /// `{}`, what absent `params` or `result` decode from (each type's zero values).
    static let emptyObject = (try? JSONEncoder().encode([String: Int]())) ?? Data()

    /// A short, stable description of a decoding error (no Foundation debug dumps).
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.typeMismatch(let type, let context):
            "\(path(context)) is not \(type)"
        case DecodingError.valueNotFound(let type, let context):
            "\(path(context)) is null, expected \(type)"
        case DecodingError.keyNotFound(let key, let context):
            "\(path(context, key)) missing"
        case DecodingError.dataCorrupted(let context):
            context.codingPath.isEmpty ? "not JSON" : "\(path(context)) invalid"
        default:
            "undecodable"
        }
    }

    private static func path(_ context: DecodingError.Context, _ extra: (any CodingKey)? = nil) -> String {
        let keys = (context.codingPath + (extra.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }
        return keys.isEmpty ? "frame" : keys.joined(separator: ".")
    }

    private static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Every type here is a struct of strings, numbers, booleans and Data: encoding
        // cannot fail, and an empty frame (which the peer refuses loudly) is the fallback.
        return (try? encoder.encode(value)) ?? Data()
    }
}

private struct Head: Decodable {
    var id: UInt64?
    var type: String?
    var method: String?
    var error: BridgeError?
}

private struct ResultCarrier<R: Decodable>: Decodable {
    var result: R?
}

private struct ParamsOf<P: Decodable>: Decodable {
    var params: P?
}

private struct Frame<Body: Encodable>: Encodable {
    var id: UInt64?
    var type: BridgeFrameKind
    var method: String?
    var params: Body?
    var result: Body?
    var error: BridgeError?

    init(id: UInt64? = nil, type: BridgeFrameKind, method: String? = nil, params: Body? = nil, result: Body? = nil, error: BridgeError? = nil) {
        self.id = id
        self.type = type
        self.method = method
        self.params = params
        self.result = result
        self.error = error
    }
}
