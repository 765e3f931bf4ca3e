import Glibc

/// A thin wrapper around poll(2) for the supervisor's single-threaded event loop.
public struct Poller {
    public struct Readiness: Sendable {
        public var fd: Int32
        public var readable: Bool
        /// POLLHUP, POLLERR or POLLNVAL.
        public var hangup: Bool
        /// POLLRDHUP: the peer shut down its writing side (only when asked for).
        public var peerClosed: Bool
    }

    /// One descriptor to watch.
    public struct Interest: Sendable {
        public var fd: Int32
        /// Also report the peer's shutdown of writing (POLLRDHUP), for sockets.
        public var peerClose: Bool

        public init(fd: Int32, peerClose: Bool = false) {
            self.fd = fd
            self.peerClose = peerClose
        }
    }

    public init() {}

    /// POLLRDHUP (Linux; <poll.h> declares it only with _GNU_SOURCE, which the overlay lacks).
    static let pollReadHangUp: Int16 = 0x2000

    /// Waits until one of `fds` is readable (or hung up), or `timeoutMilliseconds` passes
    /// (-1 = forever). EINTR returns an empty list so the caller can look at its signals.
    public func wait(on fds: [Int32], timeoutMilliseconds: Int32) throws(PosixError) -> [Readiness] {
        try wait(on: fds.map { Interest(fd: $0) }, timeoutMilliseconds: timeoutMilliseconds)
    }

    /// Like `wait(on:timeoutMilliseconds:)`, per-descriptor interests.
    public func wait(on interests: [Interest], timeoutMilliseconds: Int32) throws(PosixError) -> [Readiness] {
        let rdhup = Self.pollReadHangUp
        var entries = interests.map {
            pollfd(fd: $0.fd, events: Int16(POLLIN) | ($0.peerClose ? rdhup : 0), revents: 0)
        }
        let n = poll(&entries, nfds_t(entries.count), timeoutMilliseconds)
        if n < 0 {
            if errno == EINTR { return [] }
            throw PosixError("poll")
        }
        var ready: [Readiness] = []
        for entry in entries where entry.revents != 0 {
            let readable = entry.revents & Int16(POLLIN) != 0
            let hangup = entry.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
            let peerClosed = entry.revents & rdhup != 0
            ready.append(Readiness(fd: entry.fd, readable: readable, hangup: hangup, peerClosed: peerClosed))
        }
        return ready
    }
}
