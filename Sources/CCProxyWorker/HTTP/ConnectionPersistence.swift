// Runs in: a worker (`ccproxy-worker`).
// Whether a response keeps its connection open: decided when the response head is written.

import CCProxyPosix

/// The keep-alive decision of one request's response, shared by the connection server
/// (which knows what the client asked for) and the response writer (which writes the
/// `Connection` header). Thread-safe.
final class ConnectionPersistence: Sendable {
    private struct State: Sendable {
        var clientWantsKeepAlive: Bool
        var httpVersion10: Bool
        var decided: Bool?
    }

    private let state: Locked<State>
    private let draining: @Sendable () -> Bool

    /// - Parameters:
    ///   - clientWantsKeepAlive: HTTP/1.1 without `Connection: close`, or HTTP/1.0 with
    ///     `Connection: keep-alive` (NIO's `isKeepAlive`), and nothing else ruling it out.
    ///   - draining: whether the worker is stopping (then every response closes).
    init(clientWantsKeepAlive: Bool, httpVersion10: Bool, draining: @escaping @Sendable () -> Bool) {
        state = Locked(State(clientWantsKeepAlive: clientWantsKeepAlive, httpVersion10: httpVersion10))
        self.draining = draining
    }

    /// A response that always closes (errors before a request was understood).
    static func closing() -> ConnectionPersistence {
        ConnectionPersistence(clientWantsKeepAlive: false, httpVersion10: false, draining: { true })
    }

    /// Decides (once) at the response head: the value of its `Connection` header, or nil for
    /// none (HTTP/1.1 keep-alive is the default).
    func connectionHeaderAtHead() -> String? {
        let isDraining = draining()
        return state.withLock { state in
            let keep = state.decided ?? (state.clientWantsKeepAlive && !isDraining)
            state.decided = keep
            if !keep { return "close" }
            return state.httpVersion10 ? "keep-alive" : nil
        }
    }

    /// Rules keep-alive out for this response if its head is not written yet (e.g. the
    /// request body was not read to its end).
    func forbidKeepAlive() {
        state.withLock { if $0.decided == nil { $0.clientWantsKeepAlive = false } }
    }

    /// Whether the connection may stay open after the response: the head said so.
    var keepsAlive: Bool { state.withLock { $0.decided == true } }
}
