// Runs in: ccproxy-fuse (the FUSE helper).
import CCProxyBridgeProtocol
import Glibc

/// Why one bridge operation of the helper failed, and the errno the FUSE caller gets.
public enum BridgeCallError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The laptop daemon answered with an error.
    case remote(BridgeError)
    /// No answer within the operation timeout (a silent peer).
    case timedOut
    /// The channel is closed (the bridge worker, or its websocket, went away).
    case channelClosed
    /// The peer sent what cannot be part of the conversation; the channel is dropped.
    case protocolViolation(String)
    /// The process that made the operation is being killed: the wait is given up (its late
    /// answer, if one comes, is dropped like any other).
    case callerKilled

    public var description: String {
        switch self {
        case .remote(let error): "bridge: \(error)"
        case .timedOut: "bridge: no answer within the operation timeout"
        case .channelClosed: "bridge: channel closed"
        case .protocolViolation(let why): "bridge: \(why)"
        case .callerKilled: "bridge: the caller was killed"
        }
    }

    /// The errno a FUSE caller sees: the daemon's code mapped as the reference does,
    /// and EIO for every transport failure (so a dead laptop is an I/O error, not a hang).
    public var errno: Int32 {
        switch self {
        case .remote(let error): Self.errno(for: error.code)
        case .timedOut, .channelClosed, .protocolViolation: EIO
        case .callerKilled: EINTR
        }
    }

    /// The reference's mapping (seed-behaviour §8.4), plus `already_exists` → EEXIST.
    public static func errno(for code: BridgeErrorCode) -> Int32 {
        switch code {
        case .notFound: ENOENT
        case .notADirectory: ENOTDIR
        case .isADirectory: EISDIR
        case .permissionDenied, .outOfRoot: EACCES
        case .notEmpty: ENOTEMPTY
        case .invalidArgument: EINVAL
        case .tooLarge: EFBIG
        case .unsupported: ENOSYS
        case .alreadyExists: EEXIST
        case .io, .internal: EIO
        }
    }
}
