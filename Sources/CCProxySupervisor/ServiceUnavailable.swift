// Runs in: the supervisor (`ccproxy serve`).
// The one HTTP response the supervisor writes itself: a canned 503 when no worker can take a
// connection. It never parses what the client sent (invariant 2); it only discards it.

import CCProxyCore
import Glibc

enum ServiceUnavailable {
    /// The complete response for a refusal: 503, `Retry-After`, an OpenAI error body.
    static func response(_ reason: RefusalReason) -> [UInt8] {
        let message: String
        switch reason {
        case .queueFull: message = "all workers are busy and the queue is full; retry shortly"
        case .queueTimeout: message = "all workers stayed busy for longer than the queue timeout; retry shortly"
        case .perSourceLimit: message = "too many connections from your address are waiting; retry shortly"
        case .draining: message = "the server is shutting down; retry shortly"
        case .noWorkers: message = "no worker can be started (see the server log); retry later"
        }
        let body = APIError.unavailable(message).jsonBody()
        let head =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            + "Retry-After: \(Limits.refusalRetryAfterSeconds)\r\nContent-Length: \(body.count)\r\n"
            + "Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// Bytes of the client's request discarded before closing (see `answer`).
    static let maxDiscardBytes = 64 * 1024

    /// Best effort, never blocks: the socket is switched to non-blocking first. What the
    /// client already sent is read and discarded first, and the write side is shut down
    /// before the close: closing a socket with unread data makes the kernel send a reset,
    /// which can destroy the 503 before the client reads it.
    static func answer(_ fd: Int32, reason: RefusalReason) {
        let response = response(reason)
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        var discarded = 0
        while discarded < maxDiscardBytes {
            let n = recv(fd, &scratch, scratch.count, Int32(MSG_DONTWAIT))
            if n <= 0 { break }
            discarded += n
        }
        _ = response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        _ = shutdown(fd, Int32(SHUT_WR))
    }
}
