import Foundation

// The `params` of each request. Every member is optional on the wire and takes the
// reference's zero value when absent (`{}` or no `params` at all is a valid request for
// the root), so a server that omits a member does not break a daemon; wrong *types* are
// refused `invalid_argument`.

/// `hello`: the server introduces itself.
public struct HelloParams: Codable, Sendable, Equatable {
    public var serverVersion: String
    /// The highest protocol version the server speaks; absent = 1.
    public var protocolVersion: Int
    public var capabilities: [String]?

    public init(serverVersion: String, protocolVersion: Int = BridgeProtocol.version, capabilities: [String]? = nil) {
        self.serverVersion = serverVersion
        self.protocolVersion = protocolVersion
        self.capabilities = capabilities
    }

    enum CodingKeys: String, CodingKey {
        case serverVersion = "server_version", protocolVersion = "protocol_version", capabilities
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        serverVersion = try c.decodeIfPresent(String.self, forKey: .serverVersion) ?? ""
        protocolVersion = try c.decodeIfPresent(Int.self, forKey: .protocolVersion) ?? 1
        capabilities = try c.decodeIfPresent([String].self, forKey: .capabilities)
    }
}

/// `stat`, `readdir`, `readlink`, `fsync`: one path.
public struct PathParams: Codable, Sendable, Equatable {
    public var path: String

    public init(path: String) { self.path = path }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? ""
    }
}

/// `read`: `length` ≤ 0 or above `Limits.maxBridgeChunkBytes` reads one chunk.
public struct ReadParams: Codable, Sendable, Equatable {
    public var path: String
    public var offset: Int64
    public var length: Int64

    public init(path: String, offset: Int64, length: Int64) {
        self.path = path
        self.offset = offset
        self.length = length
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? ""
        offset = try c.decodeIfPresent(Int64.self, forKey: .offset) ?? 0
        length = try c.decodeIfPresent(Int64.self, forKey: .length) ?? 0
    }
}

/// `write`: `data` at `offset`, creating the file (0644) if missing. With `truncate` the
/// file is truncated first; `truncate` with no data truncates to `offset` (the reference's
/// overloaded form, kept for compatibility; `truncate` the method says it directly).
public struct WriteParams: Codable, Sendable, Equatable {
    public var path: String
    public var offset: Int64
    public var data: Data
    public var truncate: Bool

    public init(path: String, offset: Int64, data: Data, truncate: Bool = false) {
        self.path = path
        self.offset = offset
        self.data = data
        self.truncate = truncate
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? ""
        offset = try c.decodeIfPresent(Int64.self, forKey: .offset) ?? 0
        data = try c.decodeIfPresent(Data.self, forKey: .data) ?? Data()
        truncate = try c.decodeIfPresent(Bool.self, forKey: .truncate) ?? false
    }
}

/// `create` (exclusive; default 0644), `mkdir` (default 0755), `chmod`: a path and
/// permission bits (only 0o7777 is used; 0 means the default for create and mkdir).
public struct ModeParams: Codable, Sendable, Equatable {
    public var path: String
    public var mode: UInt32

    public init(path: String, mode: UInt32) {
        self.path = path
        self.mode = mode
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? ""
        mode = try c.decodeIfPresent(UInt32.self, forKey: .mode) ?? 0
    }
}

/// `remove`: a file, a symlink, an empty directory, or with `recursive` a whole tree.
public struct RemoveParams: Codable, Sendable, Equatable {
    public var path: String
    public var recursive: Bool

    public init(path: String, recursive: Bool = false) {
        self.path = path
        self.recursive = recursive
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? ""
        recursive = try c.decodeIfPresent(Bool.self, forKey: .recursive) ?? false
    }
}

/// `rename`: replaces `to` if it exists (rename(2)).
public struct RenameParams: Codable, Sendable, Equatable {
    public var from: String
    public var to: String

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }

    enum CodingKeys: String, CodingKey { case from, to }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        from = try c.decodeIfPresent(String.self, forKey: .from) ?? ""
        to = try c.decodeIfPresent(String.self, forKey: .to) ?? ""
    }
}

/// `exec`: without `args`, `cmd` is a command line for the laptop user's shell
/// (`$SHELL -c cmd`); with `args`, `cmd` is a program run with exactly those arguments.
/// Either way it runs in the root, with `stdin` as its input.
public struct ExecParams: Codable, Sendable, Equatable {
    public var cmd: String
    public var args: [String]?
    public var stdin: Data?

    public init(cmd: String, args: [String]? = nil, stdin: Data? = nil) {
        self.cmd = cmd
        self.args = args
        self.stdin = stdin
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cmd = try c.decodeIfPresent(String.self, forKey: .cmd) ?? ""
        args = try c.decodeIfPresent([String].self, forKey: .args)
        stdin = try c.decodeIfPresent(Data.self, forKey: .stdin)
    }
}

/// `truncate`: sets a regular file's size.
public struct TruncateParams: Codable, Sendable, Equatable {
    public var path: String
    public var size: Int64

    public init(path: String, size: Int64) {
        self.path = path
        self.size = size
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? ""
        size = try c.decodeIfPresent(Int64.self, forKey: .size) ?? 0
    }
}

/// `symlink`: makes `path` a symbolic link whose content is `target`. A target that would
/// leave the root is refused `out_of_root` when made, not only when followed.
public struct SymlinkParams: Codable, Sendable, Equatable {
    public var path: String
    public var target: String

    public init(path: String, target: String) {
        self.path = path
        self.target = target
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? ""
        target = try c.decodeIfPresent(String.self, forKey: .target) ?? ""
    }
}

/// `utimens`: access and modification times in Unix nanoseconds; an absent one is left
/// unchanged. Symbolic links themselves are changed, not their targets.
public struct UtimensParams: Codable, Sendable, Equatable {
    public var path: String
    public var atime: Int64?
    public var mtime: Int64?

    public init(path: String, atime: Int64? = nil, mtime: Int64? = nil) {
        self.path = path
        self.atime = atime
        self.mtime = mtime
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decodeIfPresent(String.self, forKey: .path) ?? ""
        atime = try c.decodeIfPresent(Int64.self, forKey: .atime)
        mtime = try c.decodeIfPresent(Int64.self, forKey: .mtime)
    }
}
