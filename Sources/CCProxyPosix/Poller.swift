import Glibc

/// A thin wrapper around poll(2) for the supervisor's single-threaded event loop.
public struct Poller {
    public struct Readiness: Sendable {
        public var fd: Int32
        public var readable: Bool
        public var hangup: Bool
    }

    public init() {}

    /// Waits until one of `fds` is readable (or hung up), or `timeoutMilliseconds` passes
    /// (-1 = forever). EINTR returns an empty list so the caller can look at its signals.
    public func wait(on fds: [Int32], timeoutMilliseconds: Int32) throws(PosixError) -> [Readiness] {
        var entries = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let n = poll(&entries, nfds_t(entries.count), timeoutMilliseconds)
        if n < 0 {
            if errno == EINTR { return [] }
            throw PosixError("poll")
        }
        var ready: [Readiness] = []
        for entry in entries where entry.revents != 0 {
            let readable = entry.revents & Int16(POLLIN) != 0
            let hangup = entry.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
            ready.append(Readiness(fd: entry.fd, readable: readable, hangup: hangup))
        }
        return ready
    }
}
