/// The RPC methods the server may call on a daemon (`req` frames), protocol version 1.
///
/// The reference's eleven, plus what a POSIX filesystem under claude's Write, Edit and Bash
/// tools and `git status` needs and the reference could not express: `truncate` (open with
/// O_TRUNC, `> file`), `symlink`/`readlink` (links inside the root appear as links),
/// `utimens` (`touch`, git's index refresh) and `fsync` (editors and git flush).
public enum BridgeMethod: String, Codable, Sendable, CaseIterable, Equatable {
    case hello, stat, readdir, read, write, create, mkdir, remove, rename, chmod, exec
    case truncate, symlink, readlink, utimens, fsync

    /// Whether the method changes the tree (refused with `--allow-write=false`).
    public var writes: Bool {
        switch self {
        case .write, .create, .mkdir, .remove, .rename, .chmod, .truncate, .symlink, .utimens: true
        case .hello, .stat, .readdir, .read, .exec, .readlink, .fsync: false
        }
    }
}

/// The events a daemon sends unasked (`event` frames).
public enum BridgeEventName: String, Codable, Sendable, CaseIterable, Equatable {
    /// Something changed under the root (the server drops what it cached for the path).
    case watch
    /// The daemon is going away on purpose (SIGINT/SIGTERM); the server closes cleanly.
    case bye
}

/// The three kinds of frame.
public enum BridgeFrameKind: String, Codable, Sendable, Equatable {
    case req, resp, event
}

/// The version of this protocol. It travels in `hello` both ways; a peer that sends none
/// speaks the reference's protocol, which is version 1 without the added methods.
public enum BridgeProtocol {
    public static let version = 1
}
