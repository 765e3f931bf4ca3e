// Runs in: a worker (`ccproxy-worker`).

import CCProxyPosix

/// Why a turn was stopped before claude finished by itself.
enum TurnStopCause: Sendable, Equatable, CustomStringConvertible {
    /// The client closed its connection or a write to it failed.
    case clientGone
    /// `request_timeout` passed.
    case timeout
    /// claude printed a line longer than `Limits.maxStreamJSONLineBytes`.
    case overlongLine
    /// A non-streamed answer reached `Limits.maxCompletionBytes`.
    case responseTooLarge
    /// Reading claude's output failed otherwise (a pipe error).
    case outputFailed(String)
    /// claude called a client function with arguments over `Limits.maxToolArgumentsBytes`.
    case argumentsTooLarge
    /// The turn ran in a bridge's mount, and the mount went away (the daemon disconnected).
    case bridgeGone

    var description: String {
        switch self {
        case .clientGone: "client disconnected"
        case .timeout: "request timeout"
        case .overlongLine: "claude printed an over-long line"
        case .responseTooLarge: "answer too large to collect"
        case .outputFailed(let reason): "reading claude's output failed: \(reason)"
        case .argumentsTooLarge: "a client function call's arguments are too large"
        case .bridgeGone: "the bridge went away"
        }
    }
}

/// The first stop cause of a turn, shared with NIO callbacks (disconnect, timeout).
final class TurnStop: Sendable {
    private let cause = Locked<TurnStopCause?>(nil)

    /// Records `value` unless a cause was recorded before; returns whether it was first.
    @discardableResult
    func set(_ value: TurnStopCause) -> Bool {
        cause.withLock {
            guard $0 == nil else { return false }
            $0 = value
            return true
        }
    }

    var value: TurnStopCause? { cause.withLock { $0 } }
}
