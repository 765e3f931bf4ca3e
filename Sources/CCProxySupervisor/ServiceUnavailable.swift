// Runs in: the supervisor (`ccproxy serve`).
// The one HTTP response the supervisor writes itself: a canned 503 when no worker can take a
// connection. It reads nothing from the client (invariant 2).

import CCProxyCore
import Glibc

enum ServiceUnavailable {
    static let response: [UInt8] = {
        let body = APIError.unavailable("all workers are busy and the queue is full; retry shortly").jsonBody()
        let head =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }()

    /// Best effort, never blocks: the socket is switched to non-blocking first.
    static func answer(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        _ = response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
