import Glibc

/// An inotify(7) instance: watches directories and reads what happened in them.
/// Not thread-safe: one thread adds watches and reads.
public final class Inotify {
    /// One event: which watch, what happened, and the name in the watched directory.
    public struct Event: Sendable, Equatable {
        public var watch: Int32
        public var mask: UInt32
        public var name: String

        public var isDirectory: Bool { mask & UInt32(IN_ISDIR) != 0 }
        public var created: Bool { mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0 }
        public var modified: Bool { mask & (UInt32(IN_MODIFY) | UInt32(IN_CLOSE_WRITE) | UInt32(IN_ATTRIB)) != 0 }
        public var removed: Bool { mask & (UInt32(IN_DELETE) | UInt32(IN_MOVED_FROM)) != 0 }
        /// The watched directory itself went away (its watch is gone).
        public var watchGone: Bool { mask & UInt32(IN_IGNORED) != 0 }
        /// The kernel dropped events (its queue overflowed).
        public var overflowed: Bool { mask & UInt32(IN_Q_OVERFLOW) != 0 }
    }

    public let fd: Int32

    public init() throws(PosixError) {
        fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { throw PosixError("inotify_init1") }
    }

    deinit { closeDescriptor(fd) }

    /// Watches directory `path` (not following a link) for entries created, changed,
    /// removed and moved; returns the watch descriptor.
    public func watchDirectory(_ path: String) throws(PosixError) -> Int32 {
        let mask = UInt32(IN_CREATE) | UInt32(IN_MODIFY) | UInt32(IN_CLOSE_WRITE) | UInt32(IN_DELETE)
            | UInt32(IN_MOVED_FROM) | UInt32(IN_MOVED_TO) | UInt32(IN_ATTRIB) | UInt32(IN_DONT_FOLLOW)
            | UInt32(IN_ONLYDIR)
        let wd = inotify_add_watch(fd, path, mask)
        guard wd >= 0 else { throw PosixError("inotify_add_watch \(path)") }
        return wd
    }

    /// Stops watching; an IN_IGNORED event for `watch` follows.
    public func removeWatch(_ watch: Int32) {
        _ = inotify_rm_watch(fd, watch)
    }

    /// Blocks until events arrive and returns them.
    public func read() throws(PosixError) -> [Event] {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var n: Int
        repeat {
            n = Glibc.read(fd, &buffer, buffer.count)
        } while n < 0 && errno == EINTR
        guard n > 0 else { throw PosixError("read inotify") }
        return Self.parse(buffer[0..<n])
    }

    /// Splits a read's bytes into events (`struct inotify_event`: wd, mask, cookie, len, name).
    static func parse(_ bytes: ArraySlice<UInt8>) -> [Event] {
        var events: [Event] = []
        var i = bytes.startIndex
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        while i + 16 <= bytes.endIndex {
            let wd = Int32(bitPattern: u32(i))
            let mask = u32(i + 4)
            let len = Int(u32(i + 12))
            let nameStart = i + 16
            guard nameStart + len <= bytes.endIndex else { break }
            let raw = bytes[nameStart..<(nameStart + len)].prefix { $0 != 0 }
            events.append(Event(watch: wd, mask: mask, name: String(decoding: raw, as: UTF8.self)))
            i = nameStart + len
        }
        return events
    }
}
