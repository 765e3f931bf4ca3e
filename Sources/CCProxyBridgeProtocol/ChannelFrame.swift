// The framing of the channel between ccproxy-fuse and a bridge worker (both use it; pure).
import CCProxyCore
import Foundation

/// Why bytes on the helper's channel cannot be a frame. Either way the stream cannot be
/// resynchronised: the receiver treats the channel as dead.
public enum ChannelFrameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A length prefix above `Limits.maxBridgeFrameBytes`, refused before allocating.
    case tooLarge(UInt32)
    /// A zero length prefix (no bridge frame is empty).
    case empty

    public var description: String {
        switch self {
        case .tooLarge(let n): "channel frame too large: \(n) bytes (limit \(Limits.maxBridgeFrameBytes))"
        case .empty: "channel frame of length 0"
        }
    }
}

/// The framing of the channel between `ccproxy-fuse` and a bridge worker, a SOCK_STREAM
/// socket: each message is a 4-byte big-endian length followed by that many bytes of one
/// bridge frame (`BridgeCodec`'s JSON envelope, the same bytes the websocket carries), so
/// the worker relays frames without re-encoding them.
public enum ChannelFrame {
    public static let headerBytes = 4

    /// `frame` with its length prefix. A frame past the limit is refused here too, so that
    /// a sender never emits what its peer must refuse.
    public static func encode(_ frame: Data) throws(ChannelFrameError) -> [UInt8] {
        guard frame.count <= Limits.maxBridgeFrameBytes else { throw .tooLarge(UInt32(clamping: frame.count)) }
        guard !frame.isEmpty else { throw .empty }
        let n = UInt32(frame.count)
        var bytes: [UInt8] = [UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)]
        bytes.reserveCapacity(headerBytes + frame.count)
        bytes.append(contentsOf: frame)
        return bytes
    }
}

/// Reassembles frames from a byte stream, in order: feed it what each read gave, then
/// take the complete frames. Pure (no I/O), so it is tested byte by byte.
///
/// The length is checked as soon as its four bytes are in, before any room is reserved
/// for the body, so a hostile or broken peer cannot make the helper allocate past
/// `Limits.maxBridgeFrameBytes`.
public struct ChannelFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    /// The length of the frame being received, once its header is complete.
    private var expected: Int?

    public init() {}

    /// Bytes received but not yet part of a returned frame.
    public var pendingBytes: Int { buffer.count }

    /// Appends `bytes` and returns every frame they complete. After an error the decoder
    /// is unusable (the stream has lost its framing).
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(ChannelFrameError) -> [Data] {
        buffer.append(contentsOf: bytes)
        var frames: [Data] = []
        var start = 0
        while true {
            if expected == nil {
                guard buffer.count - start >= ChannelFrame.headerBytes else { break }
                let n = buffer[start..<start + 4].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
                guard n <= UInt32(Limits.maxBridgeFrameBytes) else { throw .tooLarge(n) }
                guard n > 0 else { throw .empty }
                expected = Int(n)
                start += ChannelFrame.headerBytes
            }
            guard let length = expected, buffer.count - start >= length else { break }
            frames.append(Data(buffer[start..<start + length]))
            start += length
            expected = nil
        }
        if start > 0 { buffer.removeFirst(start) }
        return frames
    }
}
