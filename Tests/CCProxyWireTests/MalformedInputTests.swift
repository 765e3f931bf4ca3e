import CCProxyWire
import Testing

@Suite("Malformed input is refused, never trapped on")
struct MalformedInputTests {
    // MARK: Truncation

    @Test("Every proper prefix of every sample frame throws", arguments: Decoder.allCases)
    func everyPrefixThrows(_ decoder: Decoder) {
        for frame in decoder.sampleFrames {
            for length in 0..<frame.count {
                let prefix = Array(frame[0..<length])
                let error = decoder.decode(prefix).error
                if length < 4 {
                    #expect(error == .truncated, "prefix \(length) of \(frame)")
                } else {
                    #expect(
                        error == .lengthMismatch(declared: frame.count - 4, actual: length - 4), "prefix \(length) of \(frame)")
                }
            }
        }
    }

    @Test("A payload cut short under a consistent length prefix throws .truncated", arguments: Decoder.allCases)
    func truncatedPayloadWithConsistentLength(_ decoder: Decoder) {
        for frame in decoder.sampleFrames {
            for length in Frame.headerBytes..<frame.count {
                let cut = fixLength(Array(frame[0..<length]))
                #expect(decoder.decode(cut).error == .truncated, "cut at \(length) of \(frame)")
            }
        }
    }

    @Test("A frame shorter than its header throws .truncated", arguments: [[], [0], [0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1, 0]] as [[UInt8]])
    func shorterThanHeader(_ bytes: [UInt8]) {
        for decoder in Decoder.allCases {
            #expect(decoder.decode(bytes).error == .truncated)
        }
    }

    // MARK: Size and length

    @Test("Frames larger than maxBytes throw .oversized before decoding", arguments: Decoder.allCases)
    func oversized(_ decoder: Decoder) {
        for frame in decoder.sampleFrames {
            #expect(decoder.decode(frame, maxBytes: frame.count - 1).error == .oversized(frame.count))
            #expect(decoder.decode(frame, maxBytes: 0).error == .oversized(frame.count))
            #expect(decoder.decode(frame, maxBytes: frame.count).error == nil)
        }
        // Oversize is checked first: even garbage reports .oversized.
        let garbage = [UInt8](repeating: 0xFF, count: 100)
        #expect(decoder.decode(garbage, maxBytes: 99).error == .oversized(100))
    }

    @Test("A length prefix that disagrees with the datagram throws .lengthMismatch", arguments: Decoder.allCases)
    func lengthMismatch(_ decoder: Decoder) {
        for frame in decoder.sampleFrames {
            let actual = frame.count - 4
            for declared in [0, 1, actual - 1, actual + 1, actual + 1000, Int(UInt32.max)] where declared >= 0 && declared != actual {
                var w = WireWriter()
                w.u32(UInt32(declared))
                let bad = w.bytes + frame[4...]
                #expect(decoder.decode(bad).error == .lengthMismatch(declared: declared, actual: actual))
            }
        }
    }

    @Test("Bytes after the last field throw .trailingBytes", arguments: Decoder.allCases)
    func trailingBytes(_ decoder: Decoder) {
        for frame in decoder.sampleFrames {
            for extra in 1...5 {
                let padded = fixLength(frame + [UInt8](repeating: 0, count: extra))
                #expect(decoder.decode(padded).error == .trailingBytes(extra), "\(frame) + \(extra)")
            }
        }
    }

    // MARK: Codes

    @Test("Every code a decoder does not know throws .unknownType(code)", arguments: Decoder.allCases)
    func unknownCodes(_ decoder: Decoder) {
        for code in 0...UInt16.max where !decoder.knownCodes.contains(code) {
            let frame = rawFrame(code: code, [])
            #expect(decoder.decode(frame).error == .unknownType(code))
            // Also with a payload that would be valid for some other message.
            let withPayload = rawFrame(code: code, [0, 1, 0, 0, 0, 2])
            #expect(decoder.decode(withPayload).error == .unknownType(code))
        }
    }

    @Test("Codes from the other direction are unknown")
    func otherDirection() {
        for message in Samples.supervisorMessages {
            #expect(Decoder.worker.decode(message.encode()).error == .unknownType(message.code))
        }
        for message in Samples.workerMessages {
            #expect(Decoder.supervisor.decode(message.encode()).error == .unknownType(message.code))
        }
    }

    // MARK: Field values

    static let invalidUTF8: [[UInt8]] = [
        [0xFF],  // never valid
        [0xC0, 0x80],  // overlong NUL
        [0xE0, 0x80, 0xAF],  // overlong '/'
        [0xED, 0xA0, 0x80],  // UTF-16 surrogate
        [0xE2, 0x82],  // multi-byte sequence cut short
        [0x80],  // lone continuation byte
        [0xF4, 0x90, 0x80, 0x80],  // above U+10FFFF
        [0x61, 0x62, 0xFE],  // valid prefix, then garbage
    ]

    static func string(_ bytes: [UInt8]) -> [UInt8] {
        var w = WireWriter()
        w.u32(UInt32(bytes.count))
        return w.bytes + bytes
    }

    static func goodString(_ s: String) -> [UInt8] { string(Array(s.utf8)) }

    @Test("Invalid UTF-8 in any string field throws .malformed(field:)", arguments: invalidUTF8)
    func invalidUTF8InEveryField(_ bad: [UInt8]) {
        let s = Self.goodString
        let b = Self.string(bad)
        let u32: [UInt8] = [0, 0, 0, 1]
        let u16: [UInt8] = [0, 1]
        let u64: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1]
        let cases: [(Decoder, UInt16, [UInt8], String)] = [
            (.worker, 2, u32 + b + s("chat") + s("r"), "bearer"),
            (.worker, 2, u32 + s("tok") + b + s("r"), "scope"),
            (.worker, 2, u32 + s("tok") + s("chat") + b, "requestID"),
            (.worker, 4, b + u64 + u64, "tokenID"),
            (.supervisor, 3, u32 + b + s("n") + [0, 0, 0, 0] + [0, 0, 0], "tokenID"),
            (.supervisor, 3, u32 + s("i") + b + [0, 0, 0, 0] + [0, 0, 0], "name"),
            (.supervisor, 3, u32 + s("i") + s("n") + [0, 0, 0, 1] + b + [0, 0, 0], "scopes"),
            (.supervisor, 3, u32 + s("i") + s("n") + [0, 0, 0, 0] + [1] + b + [0, 0], "principal"),
            (.supervisor, 3, u32 + s("i") + s("n") + [0, 0, 0, 0] + [0, 0, 1] + b, "defaultVerbosity"),
            (.supervisor, 5, u32 + u16 + b + [0] + s("m"), "type"),
            (.supervisor, 5, u32 + u16 + s("t") + [1] + b + s("m"), "code"),
            (.supervisor, 5, u32 + u16 + s("t") + [0] + b, "message"),
            (.adminReply, 1, u32 + b + [0] + u32 + [0, 0, 0, 0], "listening"),
            (.adminReply, 1, u32 + s("l") + [0] + u32 + [0, 0, 0, 1] + u32 + u32 + b + u64 + u32 + [0, 0] + u32 + u32 + u64 + [0] + u64 + u64, "state"),
            (.adminReply, 1, u32 + s("l") + [0] + u32 + [0, 0, 0, 1] + u32 + u32 + s("busy") + u64 + u32 + [1] + b + [0] + u32 + u32 + u64 + [0] + u64 + u64, "requestID"),
            (.adminReply, 1, u32 + s("l") + [0] + u32 + [0, 0, 0, 1] + u32 + u32 + s("busy") + u64 + u32 + [0, 1] + b + u32 + u32 + u64 + [0] + u64 + u64, "tokenName"),
            (.adminReply, 1, u32 + s("l") + [0] + u32 + [0, 0, 0, 0] + u32 + u32 + u64 + [1] + b + u64 + u64, "respawnHalted"),
            (.adminReply, 3, b, "message"),
            (.adminReply, 5, [1] + u32 + [0, 0, 0, 1] + b, "problems"),
        ]
        for (decoder, code, payload, field) in cases {
            #expect(decoder.decode(rawFrame(code: code, payload)).error == .malformed(field: field), "\(field)")
            // Control: the same layout with a valid string decodes.
        }
    }

    @Test("The malformed-field payload layouts decode when the strings are valid")
    func controlLayoutsDecode() {
        let s = Self.goodString
        let u32: [UInt8] = [0, 0, 0, 1]
        let u16: [UInt8] = [0, 1]
        let u64: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 1]
        let cases: [(Decoder, UInt16, [UInt8])] = [
            (.worker, 2, u32 + s("x") + s("chat") + s("r")),
            (.worker, 4, s("x") + u64 + u64),
            (.supervisor, 3, u32 + s("i") + s("n") + [0, 0, 0, 1] + s("x") + [1] + s("p") + [0, 1] + s("v") + u64 + u64 + u64 + u64 + [0] + [0] + [0]),
            (.supervisor, 3, u32 + s("i") + s("n") + [0, 0, 0, 1] + s("x") + [1] + s("p") + [0, 1] + s("v") + u64 + u64 + u64 + u64 + [1] + s("/m") + [1] + s("/s") + [1]),
            (.supervisor, 5, u32 + u16 + s("t") + [1] + s("c") + s("m") + u32 + [0]),
            (.supervisor, 5, u32 + u16 + s("t") + [1] + s("c") + s("m") + u32 + [1] + u64 + u64 + u64 + u64),
            (.adminReply, 1, u32 + s("l") + [0] + u32 + [0, 0, 0, 1] + u32 + u32 + s("x") + u64 + u32 + [0, 0] + u32 + u32 + u64 + [0] + u64 + u64),
            (.adminReply, 1, u32 + s("l") + [0] + u32 + [0, 0, 0, 1] + u32 + u32 + s("x") + u64 + u32 + [1] + s("r") + [1] + s("t") + u32 + u32 + u64 + [0] + u64 + u64),
            (.adminReply, 1, u32 + s("l") + [0] + u32 + [0, 0, 0, 0] + u32 + u32 + u64 + [1] + s("h") + u64 + u64),
            (.adminReply, 3, s("x")),
            (.adminReply, 5, [1] + u32 + [0, 0, 0, 1] + s("x")),
        ]
        for (decoder, code, payload) in cases {
            let frame = rawFrame(code: code, payload)
            #expect(decoder.decode(frame) == .success(frame))
        }
    }

    @Test("Booleans other than 0 and 1 throw .malformed", arguments: [2, 0x7F, 0x80, 0xFF] as [UInt8])
    func badBool(_ value: UInt8) {
        let s = Self.goodString
        let grant = [0, 0, 0, 1] + s("i") + s("n") + [0, 0, 0, 0] + [0] + [value] + [0]
        #expect(Decoder.supervisor.decode(rawFrame(code: 3, grant)).error == .malformed(field: "debugCapture"))
        let status = [0, 0, 0, 1] + s("l") + [value] + [0, 0, 0, 0] + [0, 0, 0, 0]
        #expect(Decoder.adminReply.decode(rawFrame(code: 1, status)).error == .malformed(field: "draining"))
    }

    @Test("Setting changes other than keep, clear and set throw .malformed", arguments: [3, 0x7F, 0xFF] as [UInt8])
    func badSettingChange(_ value: UInt8) {
        let s = Self.goodString
        let head = s("t") + [0, 0, 0, 0]  // id or name, then scopes rpm tpd max-concurrent kept
        #expect(Decoder.adminRequest.decode(rawFrame(code: 12, head + [value, 0, 0])).error == .malformed(field: "defaultVerbosity"))
        #expect(Decoder.adminRequest.decode(rawFrame(code: 12, head + [0, 0, value])).error == .malformed(field: "principal"))
        #expect(Decoder.adminRequest.decode(rawFrame(code: 12, head + [0, value, 0])).error == .malformed(field: "debugCapture"))
        #expect(Decoder.adminRequest.decode(rawFrame(code: 12, s("t") + [0, value] + [0, 0, 0, 0, 0])).error == .malformed(field: "rpm"))
    }

    @Test("A token list count beyond the frame throws .truncated without allocating", arguments: hugeCounts)
    func hugeTokenCounts(_ count: UInt32) {
        var w = WireWriter()
        w.u32(count)
        // 49 bytes follow: less than one report's minimum (50).
        #expect(Decoder.adminReply.decode(rawFrame(code: 9, w.bytes + [UInt8](repeating: 0, count: 49))).error == .truncated)
    }

    @Test("Optional-presence bytes other than 0 and 1 throw .malformed", arguments: [2, 0xFF] as [UInt8])
    func badPresence(_ value: UInt8) {
        let s = Self.goodString
        let refused = [0, 0, 0, 1, 0, 1] + s("t") + [value] + s("c") + s("m")
        #expect(Decoder.supervisor.decode(rawFrame(code: 5, refused)).error == .malformed(field: "code"))
        let principal = [0, 0, 0, 1] + s("i") + s("n") + [0, 0, 0, 0] + [value] + s("p") + [0, 0]
        #expect(Decoder.supervisor.decode(rawFrame(code: 3, principal)).error == .malformed(field: "principal"))
        let verbosity = [0, 0, 0, 1] + s("i") + s("n") + [0, 0, 0, 0] + [0, 0] + [value]
        #expect(Decoder.supervisor.decode(rawFrame(code: 3, verbosity)).error == .malformed(field: "defaultVerbosity"))
        // A status worker: slot, pid, state, served, generation, then the request id's presence.
        let worker: [UInt8] = [0, 0, 0, 0] + [0, 0, 0, 1] + s("busy") + [UInt8](repeating: 0, count: 8) + [0, 0, 0, 1]
        let status = [0, 0, 0, 1] + s("l") + [0] + [0, 0, 0, 0] + [0, 0, 0, 1] + worker
        #expect(
            Decoder.adminReply.decode(rawFrame(code: 1, status + [value] + s("r") + [0] + [UInt8](repeating: 0, count: 40))).error
                == .malformed(field: "requestID"))
        #expect(
            Decoder.adminReply.decode(rawFrame(code: 1, status + [0] + [value] + s("t") + [UInt8](repeating: 0, count: 40))).error
                == .malformed(field: "tokenName"))
    }

    // MARK: Hostile counts

    static let hugeCounts: [UInt32] = [5, 1000, 0x0001_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF]

    @Test("A declared string length beyond the frame throws .truncated", arguments: hugeCounts)
    func hugeStringLength(_ count: UInt32) {
        var w = WireWriter()
        w.u32(count)
        let len = w.bytes
        let tail: [UInt8] = [0x61, 0x62, 0x63, 0x64]
        #expect(Decoder.adminReply.decode(rawFrame(code: 3, len + tail)).error == .truncated)
        #expect(Decoder.worker.decode(rawFrame(code: 4, len + tail)).error == .truncated)
        #expect(Decoder.worker.decode(rawFrame(code: 2, [0, 0, 0, 1] + len + tail)).error == .truncated)
    }

    @Test("A declared list count beyond the frame throws .truncated without allocating", arguments: hugeCounts)
    func hugeListCounts(_ count: UInt32) {
        var w = WireWriter()
        w.u32(count)
        let n = w.bytes
        let s = Self.goodString
        // Scopes: four payload bytes follow, at most one empty string's worth.
        let scopes = [0, 0, 0, 1] + s("i") + s("n") + n + [0, 0, 0, 0]
        let scopesResult = Decoder.supervisor.decode(rawFrame(code: 3, scopes)).error
        #expect(scopesResult == .truncated)
        // Workers: 20 bytes follow, at most one worker's worth.
        let workers = [0, 0, 0, 1] + s("l") + [0] + [0, 0, 0, 0] + n + [UInt8](repeating: 0, count: 20)
        #expect(Decoder.adminReply.decode(rawFrame(code: 1, workers)).error == .truncated)
    }

    @Test("A list count that fits the bytes but whose elements do not throws .truncated")
    func listCountJustPlausible() {
        let s = Self.goodString
        // 3 scopes declared, 12 bytes follow: three 4-byte lengths are possible but the
        // first one claims 8 bytes.
        let scopes = [0, 0, 0, 1] + s("i") + s("n") + [0, 0, 0, 3] + [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0]
        #expect(Decoder.supervisor.decode(rawFrame(code: 3, scopes)).error == .truncated)
        // 2 workers declared, 34 bytes follow (2 × 17), but each needs at least 20.
        let workers = [0, 0, 0, 1] + s("l") + [0] + [0, 0, 0, 0] + [0, 0, 0, 2] + [UInt8](repeating: 0, count: 34)
        #expect(Decoder.adminReply.decode(rawFrame(code: 1, workers)).error == .truncated)
    }

    @Test("Empty strings in a list are exactly four bytes each")
    func emptyStringsList() throws {
        let s = Self.goodString
        let unlimited: [UInt8] = [0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF]
        let payload = [0, 0, 0, 1] + s("i") + s("n") + [0, 0, 0, 3] + [UInt8](repeating: 0, count: 12) + [0, 0, 0]
            + unlimited + unlimited + unlimited + unlimited + [0, 0, 0]
        let message = try SupervisorMessage.decode(rawFrame(code: 3, payload), maxBytes: 1024)
        #expect(message == .authorized(correlation: 1, grant: TokenGrant(tokenID: "i", name: "n", scopes: ["", "", ""])))
    }

    // MARK: Frame.announcedLength

    static func prefix(_ declared: UInt32) -> [UInt8] {
        var w = WireWriter()
        w.u32(declared)
        return w.bytes
    }

    @Test("announcedLength returns the total frame length within limits")
    func announcedLengthValid() throws {
        #expect(try Frame.announcedLength(prefix: Self.prefix(2), maxBytes: 6) == 6)
        #expect(try Frame.announcedLength(prefix: Self.prefix(2), maxBytes: 1 << 20) == 6)
        #expect(try Frame.announcedLength(prefix: Self.prefix(100), maxBytes: 104) == 104)
        for frame in Samples.allFrames {
            #expect(try Frame.announcedLength(prefix: Array(frame[0..<4]), maxBytes: frame.count) == frame.count)
        }
    }

    @Test("announcedLength refuses lengths that cannot hold a code", arguments: [0, 1] as [UInt32])
    func announcedLengthTooShort(_ declared: UInt32) {
        #expect(throws: WireError.malformed(field: "length")) {
            try Frame.announcedLength(prefix: Self.prefix(declared), maxBytes: 1 << 20)
        }
    }

    @Test("announcedLength refuses lengths over maxBytes, reporting the total")
    func announcedLengthOversized() {
        #expect(throws: WireError.oversized(105)) { try Frame.announcedLength(prefix: Self.prefix(101), maxBytes: 104) }
        #expect(throws: WireError.oversized(7)) { try Frame.announcedLength(prefix: Self.prefix(3), maxBytes: 6) }
        #expect(throws: WireError.oversized(0xFFFF_FFFF + 4)) {
            try Frame.announcedLength(prefix: Self.prefix(.max), maxBytes: 1024 * 1024)
        }
        #expect(throws: WireError.oversized(0x8000_0000 + 4)) {
            try Frame.announcedLength(prefix: Self.prefix(0x8000_0000), maxBytes: Int(Int32.max))
        }
    }

    @Test("announcedLength needs four bytes", arguments: [[], [0], [0, 0], [0, 0, 0]] as [[UInt8]])
    func announcedLengthShortPrefix(_ prefix: [UInt8]) {
        #expect(throws: WireError.truncated) { try Frame.announcedLength(prefix: prefix, maxBytes: 1024) }
    }
}
