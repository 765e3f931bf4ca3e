import Glibc

/// What the current process may do with a path, by its real ids (access(2)).
public enum FileAccess {
    /// Read, write and search: what claude needs of its working directory.
    public static let readWriteSearch = R_OK | W_OK | X_OK
    /// Execute: what spawning a program needs.
    public static let execute = X_OK

    /// Throws the errno of access(2) when the process may not use `path` as `mode` asks.
    public static func check(_ path: String, _ mode: Int32, what: String) throws(PosixError) {
        guard access(path, mode) == 0 else { throw PosixError(what) }
    }
}
