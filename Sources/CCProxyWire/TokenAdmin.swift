/// The token operations of the admin socket (`ccproxyctl token …`, and `ccproxy token …`
/// while a server runs). Scopes and lifetimes travel as the operator typed them: the
/// supervisor parses them exactly as the offline CLI does, so both print the same errors.

/// `token create`: every option of `ccproxy token create`.
public struct TokenCreateRequest: Sendable, Equatable {
    public var name: String
    /// Comma-separated scopes, as typed (`chat,session:persistent`).
    public var scopes: String
    /// A lifetime as typed (`90d`, `1h30m`), or nil for no expiry.
    public var ttl: String?
    public var rpm: Int64
    public var tpd: Int64
    public var maxConcurrent: Int64
    public var defaultVerbosity: String?
    public var debugCapture: Bool
    public var principal: String?
    /// Also grant `bridge:connect`.
    public var bridge: Bool

    public init(
        name: String, scopes: String = "chat", ttl: String? = nil, rpm: Int64 = 0, tpd: Int64 = 0, maxConcurrent: Int64 = 0,
        defaultVerbosity: String? = nil, debugCapture: Bool = false, principal: String? = nil, bridge: Bool = false
    ) {
        self.name = name
        self.scopes = scopes
        self.ttl = ttl
        self.rpm = rpm
        self.tpd = tpd
        self.maxConcurrent = maxConcurrent
        self.defaultVerbosity = defaultVerbosity
        self.debugCapture = debugCapture
        self.principal = principal
        self.bridge = bridge
    }

    func encode(into w: inout WireWriter) {
        w.string(name)
        w.string(scopes)
        w.optionalString(ttl)
        w.i64(rpm)
        w.i64(tpd)
        w.i64(maxConcurrent)
        w.optionalString(defaultVerbosity)
        w.bool(debugCapture)
        w.optionalString(principal)
        w.bool(bridge)
    }

    static func decode(from r: inout WireReader) throws(WireError) -> TokenCreateRequest {
        TokenCreateRequest(
            name: try r.string("name"), scopes: try r.string("scopes"), ttl: try r.optionalString("ttl"), rpm: try r.i64(),
            tpd: try r.i64(), maxConcurrent: try r.i64(), defaultVerbosity: try r.optionalString("defaultVerbosity"),
            debugCapture: try r.bool("debugCapture"), principal: try r.optionalString("principal"), bridge: try r.bool("bridge"))
    }
}

/// What `token update` does to a setting that may be unset (verbosity, principal).
public enum OptionalSettingChange: Sendable, Equatable {
    /// Leave it as it is.
    case keep
    /// Unset it.
    case clear
    /// Set it to this value.
    case set(String)

    func encode(into w: inout WireWriter) {
        switch self {
        case .keep: w.u8(0)
        case .clear: w.u8(1)
        case .set(let value):
            w.u8(2)
            w.string(value)
        }
    }

    static func decode(from r: inout WireReader, field: String) throws(WireError) -> OptionalSettingChange {
        switch try r.u8() {
        case 0: return .keep
        case 1: return .clear
        case 2: return .set(try r.string(field))
        default: throw .malformed(field: field)
        }
    }
}

/// `token update`: the settings to change; nil (or `.keep`) leaves one as it is.
public struct TokenUpdateRequest: Sendable, Equatable {
    /// The token's id, or its name if no other token has it.
    public var idOrName: String
    /// Comma-separated scopes replacing the current ones, as typed.
    public var scopes: String?
    public var rpm: Int64?
    public var tpd: Int64?
    public var maxConcurrent: Int64?
    public var defaultVerbosity: OptionalSettingChange
    public var debugCapture: Bool?
    public var principal: OptionalSettingChange

    public init(
        idOrName: String, scopes: String? = nil, rpm: Int64? = nil, tpd: Int64? = nil, maxConcurrent: Int64? = nil,
        defaultVerbosity: OptionalSettingChange = .keep, debugCapture: Bool? = nil, principal: OptionalSettingChange = .keep
    ) {
        self.idOrName = idOrName
        self.scopes = scopes
        self.rpm = rpm
        self.tpd = tpd
        self.maxConcurrent = maxConcurrent
        self.defaultVerbosity = defaultVerbosity
        self.debugCapture = debugCapture
        self.principal = principal
    }

    func encode(into w: inout WireWriter) {
        w.string(idOrName)
        w.optionalString(scopes)
        w.optionalI64(rpm)
        w.optionalI64(tpd)
        w.optionalI64(maxConcurrent)
        defaultVerbosity.encode(into: &w)
        w.optionalBool(debugCapture)
        principal.encode(into: &w)
    }

    static func decode(from r: inout WireReader) throws(WireError) -> TokenUpdateRequest {
        TokenUpdateRequest(
            idOrName: try r.string("idOrName"), scopes: try r.optionalString("scopes"), rpm: try r.optionalI64("rpm"),
            tpd: try r.optionalI64("tpd"), maxConcurrent: try r.optionalI64("maxConcurrent"),
            defaultVerbosity: try OptionalSettingChange.decode(from: &r, field: "defaultVerbosity"),
            debugCapture: try r.optionalBool("debugCapture"),
            principal: try OptionalSettingChange.decode(from: &r, field: "principal"))
    }
}

/// One token as the supervisor reports it: never its hash or bearer.
public struct TokenReport: Sendable, Equatable {
    public var id: String
    public var name: String
    public var scopes: [String]
    /// Requests per minute; 0 = unlimited.
    public var rpm: Int64
    /// Tokens per UTC day; 0 = unlimited.
    public var tpd: Int64
    /// Turns in progress at once; 0 = unlimited.
    public var maxConcurrent: Int64
    public var debugCapture: Bool
    public var defaultVerbosity: String?
    public var principal: String?
    /// Unix seconds.
    public var createdAt: Int64
    /// Unix seconds, or nil for no expiry.
    public var expiresAt: Int64?
    /// Unix seconds, or nil when never used.
    public var lastUsedAt: Int64?

    public init(
        id: String, name: String, scopes: [String], rpm: Int64, tpd: Int64, maxConcurrent: Int64, debugCapture: Bool,
        defaultVerbosity: String?, principal: String?, createdAt: Int64, expiresAt: Int64?, lastUsedAt: Int64?
    ) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.rpm = rpm
        self.tpd = tpd
        self.maxConcurrent = maxConcurrent
        self.debugCapture = debugCapture
        self.defaultVerbosity = defaultVerbosity
        self.principal = principal
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }

    /// The fewest bytes one report takes (two empty strings, an empty list, three i64, a
    /// flag, two absent strings, an i64, two absent integers): counts a frame cannot hold
    /// are refused before allocating.
    static let minimumEncodedBytes = 4 + 4 + 4 + 24 + 1 + 2 + 8 + 2

    func encode(into w: inout WireWriter) {
        w.string(id)
        w.string(name)
        w.strings(scopes)
        w.i64(rpm)
        w.i64(tpd)
        w.i64(maxConcurrent)
        w.bool(debugCapture)
        w.optionalString(defaultVerbosity)
        w.optionalString(principal)
        w.i64(createdAt)
        w.optionalI64(expiresAt)
        w.optionalI64(lastUsedAt)
    }

    static func decode(from r: inout WireReader) throws(WireError) -> TokenReport {
        TokenReport(
            id: try r.string("id"), name: try r.string("name"), scopes: try r.strings("scopes"), rpm: try r.i64(),
            tpd: try r.i64(), maxConcurrent: try r.i64(), debugCapture: try r.bool("debugCapture"),
            defaultVerbosity: try r.optionalString("defaultVerbosity"), principal: try r.optionalString("principal"),
            createdAt: try r.i64(), expiresAt: try r.optionalI64("expiresAt"), lastUsedAt: try r.optionalI64("lastUsedAt"))
    }
}
