/// The error codes of a failed bridge RPC: the reference's set, plus `already_exists`
/// (an exclusive create of an existing name; the reference folded it into `io`, which
/// left the server unable to answer EEXIST).
///
/// A code received from a peer that this version does not know decodes as `.io`, so a
/// newer daemon's new code degrades to a generic I/O failure instead of a broken frame.
public enum BridgeErrorCode: String, Codable, Sendable, CaseIterable, Equatable {
    case notFound = "not_found"
    case notADirectory = "not_a_directory"
    case isADirectory = "is_a_directory"
    case permissionDenied = "permission_denied"
    case notEmpty = "not_empty"
    case invalidArgument = "invalid_argument"
    case io
    case unsupported
    case outOfRoot = "out_of_root"
    case tooLarge = "too_large"
    case alreadyExists = "already_exists"
    case `internal`

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        self = BridgeErrorCode(rawValue: raw) ?? .io
    }
}

/// A failed RPC as it travels in a `resp` frame's `error` member: a code for programs and
/// a message for people.
public struct BridgeError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public var code: BridgeErrorCode
    public var message: String

    public init(_ code: BridgeErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// A name hidden by the path policy: the same answer as a name that does not exist, so
    /// that the server (and claude) cannot tell the two apart.
    public static func absent(_ path: String) -> BridgeError {
        BridgeError(.notFound, "no such file or directory: \(path)")
    }
}
