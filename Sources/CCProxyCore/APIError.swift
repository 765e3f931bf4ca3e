/// An error as an OpenAI client expects it: an HTTP status and
/// `{"error":{"message":…,"type":…,"param":…|null,"code":…|null}}`.
///
/// Every refusal a client can see is one of these, whichever process decided it (the
/// supervisor's authorization answers travel over the wire as status, type, code, message).
public struct APIError: Error, Sendable, Equatable {
    /// The HTTP status code.
    public var status: Int
    /// The OpenAI error type, e.g. `invalid_request_error`, `authentication_error`.
    public var type: String
    /// A machine-readable code, e.g. `model_not_found`, or nil.
    public var code: String?
    /// A human-readable explanation.
    public var message: String
    /// When the client may try again (the `Retry-After` header), for 429 and 503.
    public var retryAfterSeconds: Int?
    /// The request field the error is about, as a path (`messages[2].role`,
    /// `messages[0].content[1].image_url`, `n`), or nil. Written as OpenAI's `param`.
    public var param: String?

    public init(
        status: Int, type: String, code: String? = nil, message: String, retryAfterSeconds: Int? = nil,
        param: String? = nil
    ) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
        self.param = param
    }

    /// A 400 `invalid_request_error`, optionally naming the request field it is about.
    public static func invalidRequest(_ message: String, code: String? = nil, param: String? = nil) -> APIError {
        APIError(status: 400, type: "invalid_request_error", code: code, message: message, param: param)
    }
    public static func unauthorized(_ message: String) -> APIError {
        APIError(status: 401, type: "authentication_error", code: "invalid_api_key", message: message)
    }
    public static func forbidden(_ message: String) -> APIError {
        APIError(status: 403, type: "permission_error", code: "insufficient_scope", message: message)
    }
    public static func notFound(_ message: String, code: String? = "not_found") -> APIError {
        APIError(status: 404, type: "invalid_request_error", code: code, message: message)
    }
    public static func methodNotAllowed(_ message: String) -> APIError {
        APIError(status: 405, type: "invalid_request_error", code: "method_not_allowed", message: message)
    }
    public static func payloadTooLarge(_ message: String) -> APIError {
        APIError(status: 413, type: "invalid_request_error", code: "request_too_large", message: message)
    }
    public static func serverError(_ message: String, code: String? = nil) -> APIError {
        APIError(status: 500, type: "server_error", code: code, message: message)
    }
    public static func upstreamError(_ message: String, status: Int = 502) -> APIError {
        APIError(status: status, type: "upstream_error", code: "claude_error", message: message)
    }
    public static func unavailable(_ message: String) -> APIError {
        APIError(status: 503, type: "server_error", code: "unavailable", message: message)
    }

    /// The response body, newline-terminated JSON.
    public func jsonBody() -> [UInt8] {
        ResponseEncoder().body(Body(error: self))
    }

    /// The wire shape: `{"error":{"code","message","param","type"}}`, `null` for an absent code or
    /// param (OpenAI sends the keys either way).
    private struct Body: Encodable {
        let error: APIError

        private enum CodingKeys: String, CodingKey { case error }
        private enum ErrorKeys: String, CodingKey { case message, type, param, code }

        func encode(to encoder: any Encoder) throws {
            var outer = encoder.container(keyedBy: CodingKeys.self)
            var c = outer.nestedContainer(keyedBy: ErrorKeys.self, forKey: .error)
            try c.encode(error.message, forKey: .message)
            try c.encode(error.type, forKey: .type)
            if let param = error.param { try c.encode(param, forKey: .param) } else { try c.encodeNil(forKey: .param) }
            if let code = error.code { try c.encode(code, forKey: .code) } else { try c.encodeNil(forKey: .code) }
        }
    }
}

/// Minimal JSON string quoting for hand-built bodies on hot paths.
public enum JSONString {
    /// `s` as a JSON string literal, quotes included.
    public static func quote(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
        return out
    }
}
