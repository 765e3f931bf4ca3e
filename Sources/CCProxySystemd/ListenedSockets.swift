import CCPSystemd
import Glibc

/// Sockets passed by systemd socket activation (`LISTEN_FDS`, `LISTEN_PID`, `LISTEN_FDNAMES`).
public struct ListenedSockets: Sendable {
    /// Each inherited descriptor with its name (`--fdname=` / `FileDescriptorName=`;
    /// "unknown" when unnamed).
    public var sockets: [(fd: Int32, name: String)]

    public init(sockets: [(fd: Int32, name: String)]) {
        self.sockets = sockets
    }

    /// Takes the inherited sockets and unsets the `LISTEN_*` variables, so that children
    /// never believe they were activated. Call first thing in `main`, before any thread
    /// starts (unsetting the environment is not thread-safe). The corresponding C function
    /// is sd_listen_fds_with_names(3); it also sets FD_CLOEXEC on every inherited fd.
    public static func take() -> ListenedSockets {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        guard count > 0 else { return ListenedSockets(sockets: []) }
        var result: [(fd: Int32, name: String)] = []
        for index in 0..<Int(count) {
            var name = "unknown"
            if let names, let cName = names[index] {
                name = String(cString: cName)
                free(cName)
            }
            result.append((SD_LISTEN_FDS_START + Int32(index), name))
        }
        free(names)
        return ListenedSockets(sockets: result)
    }

    /// The socket to serve HTTP on: the one named "http", else the first TCP listening socket.
    public var httpListener: Int32? {
        if let named = sockets.first(where: { $0.name == "http" }) { return named.fd }
        return sockets.first(where: {
            $0.name != "metrics" && sd_is_socket($0.fd, AF_UNSPEC, Int32(SOCK_STREAM.rawValue), 1) > 0
        })?.fd
    }

    /// The socket to serve Prometheus metrics on: the one named "metrics", if passed.
    public var metricsListener: Int32? {
        sockets.first(where: { $0.name == "metrics" })?.fd
    }
}
