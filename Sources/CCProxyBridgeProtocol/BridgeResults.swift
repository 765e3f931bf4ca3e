import Foundation

// The `result` of each successful request. Methods that only succeed or fail (`create`,
// `mkdir`, `remove`, `rename`, `chmod`, `truncate`, `symlink`, `utimens`, `fsync`) answer
// `EmptyResult` (`{}`).

/// `hello`: the daemon introduces itself and says what it allows.
public struct HelloResult: Codable, Sendable, Equatable {
    public var daemonVersion: String
    /// The version both sides speak: the lower of the server's and the daemon's.
    public var protocolVersion: Int
    /// The absolute root being served (for logs and `ccproxyctl bridges`).
    public var root: String
    /// The methods this daemon answers, so that a server can tell an old daemon from a
    /// refused operation.
    public var capabilities: [String]
    public var allowWrite: Bool
    public var allowExec: Bool
    /// Whether `watch` events will come (else the server must not cache for long).
    public var watch: Bool

    public init(
        daemonVersion: String, protocolVersion: Int, root: String, capabilities: [String],
        allowWrite: Bool, allowExec: Bool, watch: Bool
    ) {
        self.daemonVersion = daemonVersion
        self.protocolVersion = protocolVersion
        self.root = root
        self.capabilities = capabilities
        self.allowWrite = allowWrite
        self.allowExec = allowExec
        self.watch = watch
    }

    enum CodingKeys: String, CodingKey {
        case daemonVersion = "daemon_version", protocolVersion = "protocol_version", root, capabilities
        case allowWrite = "allow_write", allowExec = "allow_exec", watch
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        daemonVersion = try c.decode(String.self, forKey: .daemonVersion)
        protocolVersion = try c.decodeIfPresent(Int.self, forKey: .protocolVersion) ?? 1
        root = try c.decode(String.self, forKey: .root)
        capabilities = try c.decodeIfPresent([String].self, forKey: .capabilities) ?? []
        allowWrite = try c.decode(Bool.self, forKey: .allowWrite)
        allowExec = try c.decode(Bool.self, forKey: .allowExec)
        watch = try c.decodeIfPresent(Bool.self, forKey: .watch) ?? false
    }
}

/// What kind of file an entry is (the type bits of `mode`, spelled out).
public enum BridgeFileKind: String, Codable, Sendable, Equatable {
    case file, directory, symlink, other
}

/// `stat` (of the entry itself: a symlink is reported as a symlink, as lstat(2) does).
///
/// `mode` is the POSIX `st_mode`, type bits included (the reference sent Go's
/// `os.FileMode`, whose bit layout no FUSE implementation wants).
public struct StatResult: Codable, Sendable, Equatable {
    public var name: String
    public var size: Int64
    public var mode: UInt32
    /// Modification time, Unix nanoseconds.
    public var mtime: Int64
    public var isDir: Bool
    public var kind: BridgeFileKind

    public init(name: String, size: Int64, mode: UInt32, mtime: Int64, kind: BridgeFileKind) {
        self.name = name
        self.size = size
        self.mode = mode
        self.mtime = mtime
        self.isDir = kind == .directory
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey { case name, size, mode, mtime, isDir = "is_dir", kind }
}

/// One entry of a `readdir` (never `.` or `..`, never a denied name).
public struct DirectoryEntry: Codable, Sendable, Equatable {
    public var name: String
    public var mode: UInt32
    public var size: Int64
    public var mtime: Int64
    public var isDir: Bool
    public var kind: BridgeFileKind

    public init(name: String, mode: UInt32, size: Int64, mtime: Int64, kind: BridgeFileKind) {
        self.name = name
        self.mode = mode
        self.size = size
        self.mtime = mtime
        self.isDir = kind == .directory
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey { case name, mode, size, mtime, isDir = "is_dir", kind }
}

/// `readdir`: entries sorted by name, so that answers are reproducible.
public struct ReaddirResult: Codable, Sendable, Equatable {
    public var entries: [DirectoryEntry]

    public init(entries: [DirectoryEntry]) { self.entries = entries }
}

/// `read`: `eof` when the read reached the end of the file.
public struct ReadResult: Codable, Sendable, Equatable {
    public var data: Data
    public var eof: Bool

    public init(data: Data, eof: Bool) {
        self.data = data
        self.eof = eof
    }
}

/// `write`.
public struct WriteResult: Codable, Sendable, Equatable {
    public var written: Int

    public init(written: Int) { self.written = written }
}

/// `readlink`: the link's content, as stored.
public struct ReadlinkResult: Codable, Sendable, Equatable {
    public var target: String

    public init(target: String) { self.target = target }
}

/// `exec`: always all three (the reference dropped stderr and the exit code on success).
/// `exit_code` is the exit status, or 128 + the signal that ended the process;
/// `timed_out` says the process group was killed at the timeout; `truncated` that some
/// output was dropped past the limit.
public struct ExecResult: Codable, Sendable, Equatable {
    public var stdout: Data
    public var stderr: Data
    public var exitCode: Int32
    public var timedOut: Bool
    public var truncated: Bool

    public init(stdout: Data, stderr: Data, exitCode: Int32, timedOut: Bool = false, truncated: Bool = false) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
        self.timedOut = timedOut
        self.truncated = truncated
    }

    enum CodingKeys: String, CodingKey {
        case stdout, stderr, exitCode = "exit_code", timedOut = "timed_out", truncated
    }
}

/// The result of methods that only succeed or fail.
public struct EmptyResult: Codable, Sendable, Equatable {
    public init() {}
}
