/// What a child of the supervisor is for. Named by the child in its `hello` and checked
/// against the role the supervisor spawned it with: a mismatch is a protocol violation.
///
/// Raw values are wire values (one byte) and stable.
public enum ChildRole: UInt8, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// A pre-forked HTTP worker of the pool (`ccproxy-worker`).
    case poolWorker = 0
    /// A worker that holds one bridge websocket for its whole life (reserved: not spawned yet).
    case bridgeWorker = 1
    /// The privileged FUSE helper (reserved: not spawned yet).
    case fuseHelper = 2

    public var description: String {
        switch self {
        case .poolWorker: return "pool worker"
        case .bridgeWorker: return "bridge worker"
        case .fuseHelper: return "fuse helper"
        }
    }
}

/// Why a worker gives a client connection back to the supervisor (`WorkerMessage.handBack`).
///
/// Raw values are wire values (one byte) and stable.
public enum HandBackReason: UInt8, Sendable, Equatable, CaseIterable {
    /// A response was sent on a keep-alive connection and no byte of a further request has
    /// been read: the supervisor waits for the client's next request (or the idle timeout).
    case keepAlive = 0
    /// The request head has not fully arrived yet (nothing was read, only peeked): the
    /// supervisor waits for more bytes, then hands it to a worker again, until the head deadline.
    case incompleteHead = 1
}
