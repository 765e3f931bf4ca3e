import Glibc

/// Process resource limits.
public enum ResourceLimits {
    /// Raises the soft limit on open files (RLIMIT_NOFILE) to the hard limit, so that a busy
    /// supervisor (listener, channels, queued and idle keep-alive connections) runs into
    /// EMFILE as late as the administrator allows. The corresponding C functions are
    /// getrlimit(2) and setrlimit(2).
    /// - Returns: the soft limit before and after.
    @discardableResult
    public static func raiseOpenFilesToHardLimit() throws(PosixError) -> (before: UInt64, after: UInt64) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { throw PosixError("getrlimit") }
        let before = UInt64(limit.rlim_cur)
        guard limit.rlim_cur < limit.rlim_max else { return (before, before) }
        limit.rlim_cur = limit.rlim_max
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { throw PosixError("setrlimit") }
        return (before, UInt64(limit.rlim_cur))
    }
}
