// Runs in: a worker (`ccproxy-worker`).
// Looks at a handed-off connection before taking it: a request head that has not fully
// arrived (a slow or hostile client) goes straight back to the supervisor, unread, so that
// trickling clients never hold a worker.

import CCProxyCore
import CCProxyPosix

/// Whether a connection's receive queue holds a complete request head, by peeking.
enum HeadProbe {
    enum Verdict: Equatable {
        /// A complete head is queued (or more than a head's worth of bytes): serve it.
        case complete
        /// Only part of a head is queued (`pendingBytes`): give it back to the supervisor.
        case incomplete(pendingBytes: Int)
        /// The client closed without sending anything more.
        case closed
    }

    /// Peeks (never reads) the socket. Errors count as complete: NIO will see them too.
    static func probe(_ fd: Int32, maxHeadBytes: Int = Limits.maxRequestHeadBytes) -> Verdict {
        let peeked: [UInt8]?
        do {
            peeked = try ClientSocket.peek(fd, maxBytes: maxHeadBytes + 4)
        } catch {
            return .complete
        }
        guard let bytes = peeked else { return .closed }
        return verdict(bytes, maxHeadBytes: maxHeadBytes)
    }

    /// The decision on peeked bytes (pure, for tests).
    static func verdict(_ bytes: [UInt8], maxHeadBytes: Int) -> Verdict {
        if bytes.count > maxHeadBytes { return .complete }
        var scanner = MessageBoundaryScanner(maxHeadBytes: maxHeadBytes)
        scanner.consume(bytes)
        switch scanner.state {
        case .idle where scanner.completedMessages == 0, .head:
            return .incomplete(pendingBytes: bytes.count)
        default:
            return .complete
        }
    }
}
