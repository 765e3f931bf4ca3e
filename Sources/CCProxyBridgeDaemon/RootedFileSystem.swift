// Runs in: ccproxy-bridge (the laptop-side daemon), on its request queue.
import CCProxyBridgeProtocol
import CCProxyCore
import CCProxyPosix
import Foundation

/// The tree under `--root`, as the server may see it: every bridge filesystem method,
/// answered from the real directory, confined to it.
///
/// Confinement is a walk, one component at a time, from a descriptor of the root: each
/// component is looked at without following links (fstatat with AT_SYMLINK_NOFOLLOW,
/// openat with O_NOFOLLOW), and a symbolic link met on the way (in the middle of a path,
/// not only at its end, which is all the reference checked) is resolved by this code, not
/// the kernel: a link whose target leaves the root is refused `out_of_root`, one that stays
/// inside is followed by walking its target the same way. A component swapped for a link
/// between the look and the use fails the O_NOFOLLOW open instead of escaping. Every
/// component walked, the request's own and those links lead to, must pass the path
/// policy, else the name is absent (`not_found`).
///
/// Not thread-safe: the daemon calls it from one serial queue.
public final class RootedFileSystem {
    /// The root's absolute, link-free path.
    public let rootPath: String
    private let rootFD: Int32
    private let rootComponents: [String]
    private var policy: BridgePathPolicy
    /// The ignore file's mtime when the policy was read; a change re-reads it.
    private var policyStamp: Int64?

    public init(root: String) throws(PosixError) {
        rootPath = try DirectoryCalls.realPath(root)
        rootFD = try DirectoryCalls.openDirectory(rootPath)
        rootComponents = rootPath.split(separator: "/").map(String.init)
        policy = BridgePathPolicy(ignoreFile: nil)
        refreshPolicy()
    }

    deinit { closeDescriptor(rootFD) }

    /// The policy in force (re-read when `.ccproxyignore` changed).
    public func currentPolicy() -> BridgePathPolicy {
        refreshPolicy()
        return policy
    }

    // MARK: Methods

    public func stat(_ p: PathParams) throws(BridgeError) -> StatResult {
        let path = try parse(p.path)
        let at = try resolve(path, followLeaf: false)
        guard let status = at.status else { throw BridgeError.absent(path.description) }
        return StatResult(
            name: at.leaf ?? "", size: status.size, mode: status.mode, mtime: status.modificationNanos,
            kind: Self.kind(status))
    }

    public func readdir(_ p: PathParams) throws(BridgeError) -> ReaddirResult {
        let path = try parse(p.path)
        let at = try resolve(path, followLeaf: true)
        guard let status = at.status else { throw BridgeError.absent(path.description) }
        guard status.isDirectory else { throw BridgeError(.notADirectory, "not a directory: \(path)") }
        let dir = try open(directoryAt: at)
        let names = try posix { () throws(PosixError) in try DirectoryCalls.list(dir.fd, nil) }
        let policy = currentPolicy()
        var entries: [DirectoryEntry] = []
        for name in names.sorted() where !policy.denies(name: name) {
            // An entry removed since the listing is simply not reported.
            guard let st = try? DirectoryCalls.status(dir.fd, name) else { continue }
            entries.append(
                DirectoryEntry(name: name, mode: st.mode, size: st.size, mtime: st.modificationNanos, kind: Self.kind(st)))
            guard entries.count <= Limits.maxBridgeDirectoryEntries else {
                throw BridgeError(.tooLarge, "directory has more than \(Limits.maxBridgeDirectoryEntries) entries")
            }
        }
        return ReaddirResult(entries: entries)
    }

    public func read(_ p: ReadParams) throws(BridgeError) -> ReadResult {
        let path = try parse(p.path)
        guard p.offset >= 0 else { throw BridgeError(.invalidArgument, "negative offset") }
        let file = try openFile(path, flags: O_RDONLY)
        let size = try posix { () throws(PosixError) in try DirectoryCalls.status(of: file.fd) }.size
        if size > Int64(Limits.maxBridgeWholeFileBytes) && p.offset == 0 && p.length >= size {
            throw BridgeError(.tooLarge, "file is \(size) bytes (limit \(Limits.maxBridgeWholeFileBytes))")
        }
        let chunk = Int64(Limits.maxBridgeChunkBytes)
        let length = p.length <= 0 || p.length > chunk ? chunk : p.length
        let bytes = try posix { () throws(PosixError) in try DirectoryCalls.read(file.fd, count: Int(length), offset: p.offset) }
        let eof = Int64(bytes.count) < length || p.offset + Int64(bytes.count) >= size
        return ReadResult(data: Data(bytes), eof: eof)
    }

    public func write(_ p: WriteParams) throws(BridgeError) -> WriteResult {
        let path = try parse(p.path)
        guard p.offset >= 0 else { throw BridgeError(.invalidArgument, "negative offset") }
        guard p.data.count <= Limits.maxBridgeChunkBytes else {
            throw BridgeError(.tooLarge, "write of \(p.data.count) bytes (limit \(Limits.maxBridgeChunkBytes))")
        }
        if p.truncate && p.data.isEmpty {
            let file = try openFile(path, flags: O_WRONLY | O_CREAT)
            try posix { () throws(PosixError) in try DirectoryCalls.truncate(file.fd, size: p.offset) }
            return WriteResult(written: 0)
        }
        let file = try openFile(path, flags: O_WRONLY | O_CREAT | (p.truncate ? O_TRUNC : 0))
        try posix { () throws(PosixError) in try DirectoryCalls.write(file.fd, Array(p.data), offset: p.offset) }
        return WriteResult(written: p.data.count)
    }

    public func create(_ p: ModeParams) throws(BridgeError) {
        let path = try parse(p.path)
        let at = try resolve(path, followLeaf: false)
        guard let leaf = at.leaf else { throw BridgeError(.alreadyExists, "the root exists") }
        guard at.status == nil else { throw BridgeError(.alreadyExists, "file exists: \(path)") }
        let mode = p.mode & 0o7777 == 0 ? 0o644 : p.mode & 0o7777
        let fd = try posix { () throws(PosixError) in
            try DirectoryCalls.openFile(at.dir.fd, leaf, flags: O_WRONLY | O_CREAT | O_EXCL, mode: mode)
        }
        closeDescriptor(fd)
    }

    public func mkdir(_ p: ModeParams) throws(BridgeError) {
        let path = try parse(p.path)
        let at = try resolve(path, followLeaf: false)
        guard let leaf = at.leaf, at.status == nil else { throw BridgeError(.alreadyExists, "file exists: \(path)") }
        let mode = p.mode & 0o7777 == 0 ? 0o755 : p.mode & 0o7777
        try posix { () throws(PosixError) in try DirectoryCalls.makeDirectory(at.dir.fd, leaf, mode: mode) }
    }

    public func remove(_ p: RemoveParams) throws(BridgeError) {
        let path = try parse(p.path)
        guard !path.isRoot else { throw BridgeError(.permissionDenied, "refusing to remove bridge root") }
        let at = try resolve(path, followLeaf: false)
        guard let leaf = at.leaf, let status = at.status else { throw BridgeError.absent(path.description) }
        let directory = status.isDirectory
        if directory && p.recursive {
            try removeTree(in: at.dir.fd, leaf)
        } else {
            try posix { () throws(PosixError) in try DirectoryCalls.unlink(at.dir.fd, leaf, directory: directory) }
        }
    }

    public func rename(_ p: RenameParams) throws(BridgeError) {
        let from = try parse(p.from)
        let to = try parse(p.to)
        guard !from.isRoot, !to.isRoot else { throw BridgeError(.permissionDenied, "refusing to rename bridge root") }
        let source = try resolve(from, followLeaf: false)
        guard let fromLeaf = source.leaf, source.status != nil else { throw BridgeError.absent(from.description) }
        let target = try resolve(to, followLeaf: false)
        guard let toLeaf = target.leaf else { throw BridgeError(.permissionDenied, "refusing to replace bridge root") }
        try posix { () throws(PosixError) in try DirectoryCalls.rename(source.dir.fd, fromLeaf, target.dir.fd, toLeaf) }
    }

    public func chmod(_ p: ModeParams) throws(BridgeError) {
        let path = try parse(p.path)
        let at = try resolve(path, followLeaf: true)
        guard at.status != nil else { throw BridgeError.absent(path.description) }
        try posix { () throws(PosixError) in try DirectoryCalls.changeMode(at.dir.fd, at.leaf ?? ".", mode: p.mode) }
    }

    public func truncate(_ p: TruncateParams) throws(BridgeError) {
        let path = try parse(p.path)
        guard p.size >= 0 else { throw BridgeError(.invalidArgument, "negative size") }
        let file = try openFile(path, flags: O_WRONLY)
        try posix { () throws(PosixError) in try DirectoryCalls.truncate(file.fd, size: p.size) }
    }

    public func symlink(_ p: SymlinkParams) throws(BridgeError) {
        let path = try parse(p.path)
        guard !p.target.isEmpty, !p.target.utf8.contains(0), p.target.utf8.count <= Limits.maxBridgePathBytes else {
            throw BridgeError(.invalidArgument, "bad symlink target")
        }
        let at = try resolve(path, followLeaf: false)
        guard let leaf = at.leaf, at.status == nil else { throw BridgeError(.alreadyExists, "file exists: \(path)") }
        guard BridgePath.resolveLink(target: p.target, inDirectory: at.directory, rootComponents: rootComponents) != nil else {
            throw BridgeError(.outOfRoot, "symlink target leaves the root")
        }
        try posix { () throws(PosixError) in try DirectoryCalls.makeSymlink(target: p.target, at.dir.fd, leaf) }
    }

    public func readlink(_ p: PathParams) throws(BridgeError) -> ReadlinkResult {
        let path = try parse(p.path)
        let at = try resolve(path, followLeaf: false)
        guard let leaf = at.leaf, let status = at.status else { throw BridgeError.absent(path.description) }
        guard status.isSymlink else { throw BridgeError(.invalidArgument, "not a symbolic link: \(path)") }
        return ReadlinkResult(target: try posix { () throws(PosixError) in try DirectoryCalls.readLink(at.dir.fd, leaf) })
    }

    public func utimens(_ p: UtimensParams) throws(BridgeError) {
        let path = try parse(p.path)
        let at = try resolve(path, followLeaf: false)
        guard at.status != nil else { throw BridgeError.absent(path.description) }
        try posix { () throws(PosixError) in
            try DirectoryCalls.setTimes(at.dir.fd, at.leaf ?? ".", accessNanos: p.atime, modificationNanos: p.mtime)
        }
    }

    public func fsync(_ p: PathParams) throws(BridgeError) {
        let path = try parse(p.path)
        let file = try openFile(path, flags: O_RDONLY, mustExist: true, allowDirectory: true)
        try posix { () throws(PosixError) in try DirectoryCalls.sync(file.fd) }
    }

    // MARK: The walk

    /// A descriptor, closed when the last reference goes (the root's is borrowed, not closed).
    final class Handle {
        let fd: Int32
        private let owned: Bool
        init(_ fd: Int32, owned: Bool) {
            self.fd = fd
            self.owned = owned
        }
        deinit { if owned { closeDescriptor(fd) } }
    }

    /// Where a path ended up: its directory (a handle and its components under the root),
    /// its last name there (nil for the root) and what is there (nil: nothing).
    struct Location {
        var dir: Handle
        var directory: [String]
        var leaf: String?
        var status: FileStatus?
    }

    func resolve(_ path: BridgePath, followLeaf: Bool) throws(BridgeError) -> Location {
        let policy = currentPolicy()
        var pending = path.components[...]
        var done: [String] = []
        var dir = Handle(rootFD, owned: false)
        var hops = 0
        while let name = pending.first {
            pending = pending.dropFirst()
            guard !policy.denies(name: name) else { throw BridgeError.absent(path.description) }
            let isLast = pending.isEmpty
            let status: FileStatus
            do {
                status = try DirectoryCalls.status(dir.fd, name)
            } catch {
                if isLast && error.errno == ENOENT {
                    return Location(dir: dir, directory: done, leaf: name, status: nil)
                }
                throw Self.map(error, path.description)
            }
            if status.isSymlink && (!isLast || followLeaf) {
                hops += 1
                guard hops <= Limits.maxBridgeSymlinkHops else {
                    throw BridgeError(.io, "too many levels of symbolic links: \(path)")
                }
                let target = try posix { () throws(PosixError) in try DirectoryCalls.readLink(dir.fd, name) }
                guard let resolved = BridgePath.resolveLink(target: target, inDirectory: done, rootComponents: rootComponents)
                else { throw BridgeError(.outOfRoot, "symlink escapes root: \(path)") }
                pending = (resolved + pending)[...]
                done = []
                dir = Handle(rootFD, owned: false)
                continue
            }
            if isLast { return Location(dir: dir, directory: done, leaf: name, status: status) }
            guard status.isDirectory else { throw BridgeError(.notADirectory, "not a directory: \(path)") }
            let fd = try posix { () throws(PosixError) in try DirectoryCalls.openSubdirectory(dir.fd, name) }
            dir = Handle(fd, owned: true)
            done.append(name)
        }
        let status = try posix { () throws(PosixError) in try DirectoryCalls.status(dir.fd, nil) }
        return Location(dir: dir, directory: done, leaf: nil, status: status)
    }

    /// Opens the file a path names, following links inside the root.
    private func openFile(_ path: BridgePath, flags: Int32, mustExist: Bool = false, allowDirectory: Bool = false) throws(BridgeError) -> Handle {
        let at = try resolve(path, followLeaf: true)
        if at.status == nil && (mustExist || flags & O_CREAT == 0) { throw BridgeError.absent(path.description) }
        if let status = at.status, status.isDirectory, !allowDirectory {
            throw BridgeError(.isADirectory, "is a directory: \(path)")
        }
        let fd = try posix { () throws(PosixError) in try DirectoryCalls.openFile(at.dir.fd, at.leaf ?? ".", flags: flags) }
        return Handle(fd, owned: true)
    }

    private func open(directoryAt at: Location) throws(BridgeError) -> Handle {
        guard let leaf = at.leaf else { return at.dir }
        let fd = try posix { () throws(PosixError) in try DirectoryCalls.openSubdirectory(at.dir.fd, leaf) }
        return Handle(fd, owned: true)
    }

    /// Removes `name` in `dir` and everything under it, never following a link. Denied
    /// names are not touched (they do not exist for the server), so a directory holding
    /// one stays, and the removal fails `not_empty`.
    private func removeTree(in dir: Int32, _ name: String) throws(BridgeError) {
        let status = try posix { () throws(PosixError) in try DirectoryCalls.status(dir, name) }
        if status.isDirectory {
            let sub = Handle(try posix { () throws(PosixError) in try DirectoryCalls.openSubdirectory(dir, name) }, owned: true)
            let policy = currentPolicy()
            for child in try posix({ () throws(PosixError) in try DirectoryCalls.list(sub.fd, nil) }) where !policy.denies(name: child) {
                try removeTree(in: sub.fd, child)
            }
        }
        try posix { () throws(PosixError) in try DirectoryCalls.unlink(dir, name, directory: status.isDirectory) }
    }

    // MARK: Helpers

    private func parse(_ raw: String) throws(BridgeError) -> BridgePath {
        try BridgePath(parsing: raw)
    }

    private func refreshPolicy() {
        let name = BridgePathPolicy.ignoreFileName
        guard let st = try? DirectoryCalls.status(rootFD, name), st.isRegular else {
            if policyStamp != nil {
                policy = BridgePathPolicy(ignoreFile: nil)
                policyStamp = nil
            }
            return
        }
        guard st.modificationNanos != policyStamp else { return }
        var text: String?
        if let fd = try? DirectoryCalls.openFile(rootFD, name, flags: O_RDONLY) {
            defer { closeDescriptor(fd) }
            if let bytes = try? DirectoryCalls.read(fd, count: 64 * 1024, offset: 0) {
                text = String(decoding: bytes, as: UTF8.self)
            }
        }
        policy = BridgePathPolicy(ignoreFile: text)
        policyStamp = st.modificationNanos
    }

    static func kind(_ status: FileStatus) -> BridgeFileKind {
        if status.isDirectory { return .directory }
        if status.isSymlink { return .symlink }
        if status.isRegular { return .file }
        return .other
    }

    private func posix<T>(_ body: () throws(PosixError) -> T) throws(BridgeError) -> T {
        do {
            return try body()
        } catch {
            throw Self.map(error, "")
        }
    }

    /// An errno as a bridge error code, as the reference mapped Go's errors (plus EEXIST).
    static func map(_ error: PosixError, _ path: String) -> BridgeError {
        let code: BridgeErrorCode =
            switch error.errno {
            case ENOENT: .notFound
            case EACCES, EPERM, EROFS: .permissionDenied
            case ENOTDIR: .notADirectory
            case EISDIR: .isADirectory
            case ENOTEMPTY: .notEmpty
            case EEXIST: .alreadyExists
            case EINVAL, ENAMETOOLONG: .invalidArgument
            case EFBIG: .tooLarge
            default: .io
            }
        return BridgeError(code, path.isEmpty ? error.description : "\(error): \(path)")
    }
}
