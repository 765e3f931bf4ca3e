import Glibc

/// The unprivileged account a server started as root switches to (config `user`), and the
/// switch itself: supplementary groups, then the group, then the user — in that order, since
/// each later step gives up the right to the earlier ones. Checked afterwards: a process that
/// can get root back has not dropped anything.
public struct ServiceUser: Sendable, Equatable {
    public var name: String
    public var uid: uid_t
    public var gid: gid_t
    /// The account's home directory from the password database (may not exist).
    public var home: String

    public init(name: String, uid: uid_t, gid: gid_t, home: String) {
        self.name = name
        self.uid = uid
        self.gid = gid
        self.home = home
    }

    /// The account named `name`, or nil if the password database has none.
    /// - Throws: `PosixError` when the lookup itself fails (not for a missing user).
    public static func lookup(_ name: String) throws(PosixError) -> ServiceUser? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let status = getpwnam_r(name, &entry, &buffer, buffer.count, &result)
        guard status == 0 else { throw PosixError("getpwnam_r", errno: status) }
        guard let found = result?.pointee else { return nil }
        let home = found.pw_dir.map { String(cString: $0) } ?? "/"
        return ServiceUser(name: name, uid: found.pw_uid, gid: found.pw_gid, home: home)
    }

    /// Whether this process runs with root's user id.
    public static var isRoot: Bool { geteuid() == 0 }

    /// Switches the whole process (every thread: glibc broadcasts set*id) to this user, with
    /// its primary group as the only group. Call before any thread that must keep root starts.
    /// - Throws: `PosixError` if a step fails or root could be regained afterwards.
    public func become() throws(PosixError) {
        guard uid != 0 else { throw PosixError("refusing to switch to uid 0", errno: EPERM) }
        var groups = [gid]
        guard setgroups(1, &groups) == 0 else { throw PosixError("setgroups") }
        // As root, setgid and setuid set the real, effective and saved ids alike.
        guard setgid(gid) == 0 else { throw PosixError("setgid") }
        guard setuid(uid) == 0 else { throw PosixError("setuid") }
        guard getuid() == uid, geteuid() == uid, getgid() == gid, getegid() == gid else {
            throw PosixError("ids after the switch", errno: EPERM)
        }
        guard setuid(0) != 0 else { throw PosixError("root could be regained after the switch", errno: EPERM) }
    }

    /// Gives `path` and everything below it (not following symbolic links, not crossing into
    /// other file systems' mount points' contents beyond what lchown reaches) to this user.
    /// Used on the state directory, whose files root may have created (`ccproxy token create`
    /// before the first start, an earlier root run).
    /// - Throws: `PosixError` for the first entry that cannot be changed.
    public func own(tree path: String) throws(PosixError) {
        guard lchown(path, uid, gid) == 0 else { throw PosixError("lchown \(path)") }
        var info = stat()
        guard lstat(path, &info) == 0 else { throw PosixError("lstat \(path)") }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return }
        guard let directory = opendir(path) else { throw PosixError("opendir \(path)") }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(directory)
        for name in names {
            try own(tree: path + "/" + name)
        }
    }
}
