import Glibc

/// What one non-blocking read(2) gave.
public enum NonBlockingRead: Sendable, Equatable {
    /// Some bytes (never empty).
    case bytes([UInt8])
    /// Nothing yet (EAGAIN).
    case wouldBlock
    /// The peer closed its end.
    case endOfFile

    /// Reads at most `maxBytes` from a non-blocking `fd`, retrying EINTR.
    public static func read(_ fd: Int32, maxBytes: Int) throws(PosixError) -> NonBlockingRead {
        var buffer = [UInt8](repeating: 0, count: max(1, maxBytes))
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 { return .bytes(Array(buffer[0..<n])) }
            if n == 0 { return .endOfFile }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock }
            throw PosixError("read")
        }
    }
}
