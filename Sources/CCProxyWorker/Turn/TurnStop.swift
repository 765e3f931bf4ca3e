// Runs in: a worker (`ccproxy-worker`).

import Synchronization

/// Why a turn was stopped before claude finished by itself.
enum TurnStopCause: Sendable, Equatable, CustomStringConvertible {
    /// The client closed its connection or a write to it failed.
    case clientGone
    /// `request_timeout` passed.
    case timeout
    /// claude printed a line longer than `Limits.maxStreamJSONLineBytes`.
    case overlongLine

    var description: String {
        switch self {
        case .clientGone: "client disconnected"
        case .timeout: "request timeout"
        case .overlongLine: "claude printed an over-long line"
        }
    }
}

/// The first stop cause of a turn, shared with NIO callbacks (disconnect, timeout).
final class TurnStop: Sendable {
    private let cause = Mutex<TurnStopCause?>(nil)

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
