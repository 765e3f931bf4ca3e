// The client side of the admin socket, used by `ccproxyctl` and by `ccproxy token` (which
// goes through a running server rather than opening its database).

public import CCProxyCore
public import CCProxyPosix
public import CCProxyWire

/// Why an admin request got no reply.
public enum AdminClientError: Error, CustomStringConvertible, Sendable {
    /// Nothing listens at the path (no socket file, or a stale one: ENOENT, ECONNREFUSED).
    /// Only this case means "no server runs".
    case notListening(PosixError)
    /// A server was reached but the exchange failed (permission, timeout, a bad frame).
    case failed(String)

    public var description: String {
        switch self {
        case .notListening(let error): "nothing listens (\(error))"
        case .failed(let message): message
        }
    }
}

/// One request, one reply, over the admin socket.
public enum AdminClient {
    /// Sends `request` and waits at most `timeoutSeconds` for the reply.
    public static func request(
        _ request: AdminRequest, socketPath: String, timeoutSeconds: Double = Limits.adminTokenOperationSeconds
    ) throws(AdminClientError) -> AdminReply {
        let fd: Int32
        do {
            fd = try UnixStreamSocket.connect(path: socketPath)
        } catch {
            if error.isNothingListening { throw .notListening(error) }
            throw .failed("\(error)")
        }
        defer { closeDescriptor(fd) }
        do {
            try UnixStreamSocket.setReceiveTimeout(fd, seconds: timeoutSeconds)
            try writeAll(fd, request.encode())
            let prefix = try readExactly(fd, 4)
            let total = try Frame.announcedLength(prefix: prefix, maxBytes: Limits.maxAdminFrameBytes)
            let frame = prefix + (try readExactly(fd, total - 4))
            return try AdminReply.decode(frame, maxBytes: Limits.maxAdminFrameBytes)
        } catch {
            throw .failed("\(error)")
        }
    }
}
