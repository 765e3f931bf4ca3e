import CCPLinux
import Glibc

/// One end of a `SOCK_SEQPACKET` Unix socket pair: message boundaries are kept, and a file
/// descriptor can travel with a message (SCM_RIGHTS).
///
/// The supervisor keeps one end per worker; the worker gets the other at a fixed fd slot.
/// The type is a plain wrapper around the descriptor number: the owner closes it.
public struct SeqPacketChannel: Sendable, Equatable {
    public let fd: Int32

    public init(fd: Int32) { self.fd = fd }

    /// Creates a connected pair, both ends CLOEXEC. The corresponding C function is socketpair(2).
    public static func makePair() throws(PosixError) -> (SeqPacketChannel, SeqPacketChannel) {
        var fds: [Int32] = [-1, -1]
        let kind = Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, kind, 0, &fds) == 0 else { throw PosixError("socketpair") }
        return (SeqPacketChannel(fd: fds[0]), SeqPacketChannel(fd: fds[1]))
    }

    /// Sends one message with a descriptor, which the peer process now owns: this
    /// process's copy is closed whether or not the send succeeded (on failure the connection
    /// is lost, which costs only that connection).
    public func send(_ bytes: [UInt8], passing descriptor: consuming OwnedDescriptor) throws(PosixError) {
        let result: Result<Void, PosixError>
        do {
            try send(bytes, attaching: descriptor.rawValue)
            result = .success(())
        } catch {
            result = .failure(error)
        }
        descriptor.close()
        try result.get()
    }

    /// Sends one message, optionally with a descriptor attached (the receiver gets a
    /// duplicate; the caller still owns and must close its own). Blocks if the socket is
    /// blocking and its buffer is full.
    public func send(_ bytes: [UInt8], attaching descriptor: Int32? = nil) throws(PosixError) {
        // An empty datagram would read as "peer closed" on the other side.
        guard !bytes.isEmpty else { throw PosixError("sendmsg", errno: EINVAL) }
        let sent = bytes.withUnsafeBytes { raw in
            ccp_send_with_fd(fd, raw.baseAddress, raw.count, descriptor ?? -1)
        }
        guard sent == bytes.count else {
            throw PosixError("sendmsg", errno: sent < 0 ? Glibc.errno : EMSGSIZE)
        }
    }

    /// What one receive produced.
    public enum Received: ~Copyable, Sendable {
        /// A message and the descriptor that came with it (owned by the caller now).
        case message([UInt8], descriptor: OwnedDescriptor?)
        /// The peer closed its end.
        case closed
        /// Non-blocking socket with nothing to read.
        case wouldBlock
        /// A message whose descriptor was dropped by the kernel (MSG_CTRUNC): this process is
        /// out of descriptors. The payload is intact; the descriptor is lost.
        case descriptorLost([UInt8])
    }

    /// Receives one message of at most `maxBytes`. A truncated message (too long, or with
    /// more descriptors than one) is an error: the channel's peer broke the protocol.
    public func receive(maxBytes: Int, nonBlocking: Bool = false) throws(PosixError) -> Received {
        var buffer = [UInt8](repeating: 0, count: maxBytes + 1)
        var descriptor: Int32 = -1
        var truncated: Int32 = 0
        let count = buffer.withUnsafeMutableBytes { raw in
            ccp_recv_with_fd(fd, raw.baseAddress, raw.count, nonBlocking ? Int32(MSG_DONTWAIT) : 0, &descriptor, &truncated)
        }
        if count < 0 {
            let e = Glibc.errno
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            throw PosixError("recvmsg", errno: e)
        }
        if truncated == 2 && count <= maxBytes && descriptor < 0 {
            return .descriptorLost(Array(buffer[0..<count]))
        }
        if truncated != 0 || count > maxBytes {
            closeDescriptor(descriptor)
            throw PosixError("recvmsg", errno: EMSGSIZE)
        }
        if count == 0 && descriptor < 0 { return .closed }
        let bytes = Array(buffer[0..<count])
        if descriptor >= 0 { return .message(bytes, descriptor: OwnedDescriptor(adopting: descriptor)) }
        return .message(bytes, descriptor: nil)
    }

    /// Closes this end.
    public func close() { closeDescriptor(fd) }
}
