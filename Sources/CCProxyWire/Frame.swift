/// The frame every channel uses: `UInt32` big-endian length of what follows, `UInt16`
/// message code, payload.
///
/// On `SOCK_SEQPACKET` channels one datagram is one frame and the length doubles as an
/// integrity check; on stream sockets (admin) it is the framing. The maximum size is
/// checked before anything is allocated.
public enum Frame {
    /// Bytes of the length prefix plus the code.
    public static let headerBytes = 6

    /// Builds a frame from a message code and its payload.
    public static func encode(code: UInt16, payload: [UInt8]) -> [UInt8] {
        var writer = WireWriter()
        writer.u32(UInt32(payload.count + 2))
        writer.u16(code)
        return writer.bytes + payload
    }

    /// Splits one complete datagram into code and a reader positioned at the payload.
    public static func decode(_ bytes: [UInt8], maxBytes: Int) throws(WireError) -> (code: UInt16, payload: WireReader) {
        guard bytes.count <= maxBytes else { throw .oversized(bytes.count) }
        var reader = WireReader(bytes)
        let declared = Int(try reader.u32())
        guard declared == bytes.count - 4 else { throw .lengthMismatch(declared: declared, actual: bytes.count - 4) }
        let code = try reader.u16()
        return (code, reader)
    }

    /// For stream sockets: the total frame length announced by a 4-byte prefix, validated
    /// against `maxBytes` before the caller reads (and allocates) the rest.
    public static func announcedLength(prefix: [UInt8], maxBytes: Int) throws(WireError) -> Int {
        var reader = WireReader(prefix)
        let declared = Int(try reader.u32())
        guard declared >= 2 else { throw .malformed(field: "length") }
        guard declared + 4 <= maxBytes else { throw .oversized(declared + 4) }
        return declared + 4
    }
}

/// The version of the worker and admin protocols. A peer speaking another version is
/// refused at hello: binaries of different builds never talk to each other.
///
/// Version 2: `hello` names the child's role; `handBack` (code 12) returns a client
/// connection to the supervisor with its descriptor.
/// Version 3: a `TokenGrant` carries `RateLimitFigures`, and `refused` may too; persistent
/// sessions (`acquireSession`, `releaseSession`, `sessionLeased`); the admin socket's session
/// requests.
/// Version 4: metrics: `requestObserved` (code 24) reports one finished request; a scrape
/// of `metrics_listen` reaches a worker as `metricsPart` frames (code 21) with the rendered
/// exposition, then `metricsScrape` (code 19) with the connection's descriptor.
/// Version 5: bridges: `registerBridge` (code 26) and `bridgeAccepted` (code 27); the admin
/// socket's `bridgeList` and `bridges`.
/// Version 6: waiting turns (function calling): `turnWaits` (30), `waitingTurnEnded` (32),
/// `findWaitingTurn` (34), `passToWaitingTurn` (36, with a descriptor); `waitingTurnFound`
/// (29), `continueWaitingTurn` (31, with a descriptor), `endWaitingTurn` (33).
public enum ProtocolVersion {
    public static let current: UInt16 = 6
}
