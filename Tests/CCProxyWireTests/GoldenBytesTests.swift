import CCProxyWire
import Testing

/// The compatibility contract: these bytes change only with the protocol version (a grant gained
/// `followUpOnly` in version 6).
@Suite("Golden bytes")
struct GoldenBytesTests {
    struct Golden: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: [UInt8]
        let encode: @Sendable () -> [UInt8]
        let decodesBack: @Sendable ([UInt8]) -> Bool
        var testDescription: String { name }
    }

    static let observation = RequestObservation(
        endpoint: .chatCompletions, method: .post, status: 200, tokenID: "t", durationMicros: 1_500_000,
        firstChunkMicros: 0x0102)

    static let goldens: [Golden] = [
        Golden(
            name: "worker hello(2, pid 0x01020304, pool worker)",
            bytes: [0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04, 0x00],
            encode: { WorkerMessage.hello(protocolVersion: 2, pid: 0x0102_0304, role: .poolWorker).encode() },
            decodesBack: {
                (try? WorkerMessage.decode($0, maxBytes: 64)) == .hello(protocolVersion: 2, pid: 0x0102_0304, role: .poolWorker)
            }),
        Golden(
            name: "worker hello(2, pid -2, fuse helper)",
            bytes: [0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x02, 0xFF, 0xFF, 0xFF, 0xFE, 0x02],
            encode: { WorkerMessage.hello(protocolVersion: 2, pid: -2, role: .fuseHelper).encode() },
            decodesBack: { (try? WorkerMessage.decode($0, maxBytes: 64)) == .hello(protocolVersion: 2, pid: -2, role: .fuseHelper) }),
        Golden(
            name: "worker handBack(0x0102030405060708, incompleteHead, 17)",
            bytes: [
                0x00, 0x00, 0x00, 0x0F, 0x00, 0x0C,
                0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,  // connection id
                0x01,  // reason incompleteHead
                0x00, 0x00, 0x00, 0x11,  // pending bytes
            ],
            encode: { WorkerMessage.handBack(connectionID: 0x0102_0304_0506_0708, reason: .incompleteHead, pendingBytes: 17).encode() },
            decodesBack: {
                (try? WorkerMessage.decode($0, maxBytes: 64))
                    == .handBack(connectionID: 0x0102_0304_0506_0708, reason: .incompleteHead, pendingBytes: 17)
            }),
        Golden(
            name: "worker authorize(7, \"ab\", \"c\", \"r\")",
            bytes: [
                0x00, 0x00, 0x00, 0x16, 0x00, 0x02,
                0x00, 0x00, 0x00, 0x07,
                0x00, 0x00, 0x00, 0x02, 0x61, 0x62,
                0x00, 0x00, 0x00, 0x01, 0x63,
                0x00, 0x00, 0x00, 0x01, 0x72,  // request id "r"
            ],
            encode: { WorkerMessage.authorize(correlation: 7, bearer: "ab", scope: "c", requestID: "r").encode() },
            decodesBack: {
                (try? WorkerMessage.decode($0, maxBytes: 64)) == .authorize(correlation: 7, bearer: "ab", scope: "c", requestID: "r")
            }),
        Golden(
            name: "worker turnFinished(\"t\", 1, 0x0102030405060708)",
            bytes: [
                0x00, 0x00, 0x00, 0x17, 0x00, 0x04,
                0x00, 0x00, 0x00, 0x01, 0x74,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
                0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
            ],
            encode: { WorkerMessage.turnFinished(tokenID: "t", inputTokens: 1, outputTokens: 0x0102_0304_0506_0708).encode() },
            decodesBack: {
                (try? WorkerMessage.decode($0, maxBytes: 64))
                    == .turnFinished(tokenID: "t", inputTokens: 1, outputTokens: 0x0102_0304_0506_0708)
            }),
        Golden(
            name: "worker connectionDone",
            bytes: [0x00, 0x00, 0x00, 0x02, 0x00, 0x06],
            encode: { WorkerMessage.connectionDone.encode() },
            decodesBack: { (try? WorkerMessage.decode($0, maxBytes: 64)) == .connectionDone }),
        Golden(
            name: "worker turnStarted(processGroup 0x01020304)",
            bytes: [0x00, 0x00, 0x00, 0x06, 0x00, 0x08, 0x01, 0x02, 0x03, 0x04],
            encode: { WorkerMessage.turnStarted(processGroup: 0x0102_0304).encode() },
            decodesBack: { (try? WorkerMessage.decode($0, maxBytes: 64)) == .turnStarted(processGroup: 0x0102_0304) }),
        Golden(
            name: "worker turnEnded",
            bytes: [0x00, 0x00, 0x00, 0x02, 0x00, 0x0A],
            encode: { WorkerMessage.turnEnded.encode() },
            decodesBack: { (try? WorkerMessage.decode($0, maxBytes: 64)) == .turnEnded }),
        Golden(
            name: "worker releaseSession(started: true)",
            bytes: [0x00, 0x00, 0x00, 0x03, 0x00, 0x16, 0x01],
            encode: { WorkerMessage.releaseSession(started: true).encode() },
            decodesBack: { (try? WorkerMessage.decode($0, maxBytes: 64)) == .releaseSession(started: true) }),
        Golden(
            name: "supervisor welcome(1, slot 2)",
            bytes: [0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02],
            encode: { SupervisorMessage.welcome(protocolVersion: 1, slot: 2).encode() },
            decodesBack: { (try? SupervisorMessage.decode($0, maxBytes: 64)) == .welcome(protocolVersion: 1, slot: 2) }),
        Golden(
            name: "supervisor authorized(2, grant)",
            bytes: [
                0x00, 0x00, 0x00, 0x49, 0x00, 0x03,
                0x00, 0x00, 0x00, 0x02,  // correlation
                0x00, 0x00, 0x00, 0x01, 0x69,  // tokenID "i"
                0x00, 0x00, 0x00, 0x01, 0x6E,  // name "n"
                0x00, 0x00, 0x00, 0x02,  // 2 scopes
                0x00, 0x00, 0x00, 0x01, 0x61,  // "a"
                0x00, 0x00, 0x00, 0x01, 0x62,  // "b"
                0x01, 0x00, 0x00, 0x00, 0x01, 0x70,  // principal "p"
                0x01,  // debugCapture
                0x00,  // defaultVerbosity nil
                0x00, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF,  // limits: requests limit (unlimited)
                0x00, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF,  // requests remaining
                0x00, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF,  // tokens limit
                0x00, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF,  // tokens remaining
                0x00,  // bridgeMount nil
                0x00,  // bridgeExecSocket nil
                0x00,  // followUpOnly (version 6)
            ],
            encode: { SupervisorMessage.authorized(correlation: 2, grant: GoldenBytesTests.grant).encode() },
            decodesBack: { (try? SupervisorMessage.decode($0, maxBytes: 128)) == .authorized(correlation: 2, grant: GoldenBytesTests.grant) }),
        Golden(
            name: "supervisor refused(1, 401, \"x\", nil, \"m\")",
            bytes: [
                0x00, 0x00, 0x00, 0x18, 0x00, 0x05,
                0x00, 0x00, 0x00, 0x01,
                0x01, 0x91,
                0x00, 0x00, 0x00, 0x01, 0x78,
                0x00,
                0x00, 0x00, 0x00, 0x01, 0x6D,
                0x00, 0x00, 0x00, 0x00,  // retryAfterSeconds: none
                0x00,  // limits: none
            ],
            encode: { SupervisorMessage.refused(correlation: 1, status: 401, type: "x", code: nil, message: "m").encode() },
            decodesBack: {
                (try? SupervisorMessage.decode($0, maxBytes: 64)) == .refused(correlation: 1, status: 401, type: "x", code: nil, message: "m")
            }),
        Golden(
            name: "supervisor refused with code and retry-after",
            bytes: [
                0x00, 0x00, 0x00, 0x3C, 0x00, 0x05,
                0x00, 0x00, 0x00, 0x03,
                0x01, 0xAD,
                0x00, 0x00, 0x00, 0x01, 0x74,
                0x01, 0x00, 0x00, 0x00, 0x01, 0x63,
                0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x3C,  // retryAfterSeconds: 60
                0x01,  // limits follow
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,  // requests limit 2
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // requests remaining 0
                0x00, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF,  // tokens limit (unlimited)
                0x00, 0x00, 0x00, 0x00, 0x7F, 0xFF, 0xFF, 0xFF,  // tokens remaining
            ],
            encode: {
                SupervisorMessage.refused(
                    correlation: 3, status: 429, type: "t", code: "c", message: "", retryAfterSeconds: 60,
                    limits: GoldenBytesTests.limits
                ).encode()
            },
            decodesBack: {
                (try? SupervisorMessage.decode($0, maxBytes: 128))
                    == .refused(
                        correlation: 3, status: 429, type: "t", code: "c", message: "", retryAfterSeconds: 60,
                        limits: GoldenBytesTests.limits)
            }),
        Golden(
            name: "supervisor handoff(0x1122334455667788)",
            bytes: [0x00, 0x00, 0x00, 0x0A, 0x00, 0x07, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88],
            encode: { SupervisorMessage.handoff(connectionID: 0x1122_3344_5566_7788).encode() },
            decodesBack: { (try? SupervisorMessage.decode($0, maxBytes: 64)) == .handoff(connectionID: 0x1122_3344_5566_7788) }),
        Golden(
            name: "supervisor shutdown",
            bytes: [0x00, 0x00, 0x00, 0x02, 0x00, 0x09],
            encode: { SupervisorMessage.shutdown.encode() },
            decodesBack: { (try? SupervisorMessage.decode($0, maxBytes: 64)) == .shutdown }),
        Golden(
            name: "admin request status",
            bytes: [0x00, 0x00, 0x00, 0x02, 0x00, 0x00],
            encode: { AdminRequest.status.encode() },
            decodesBack: { (try? AdminRequest.decode($0, maxBytes: 64)) == .status }),
        Golden(
            name: "admin request reload",
            bytes: [0x00, 0x00, 0x00, 0x02, 0x00, 0x02],
            encode: { AdminRequest.reload.encode() },
            decodesBack: { (try? AdminRequest.decode($0, maxBytes: 64)) == .reload }),
        Golden(
            name: "admin reply reloaded(refused, generation 3, [\"x\"])",
            bytes: [
                0x00, 0x00, 0x00, 0x10, 0x00, 0x05,
                0x00,  // not accepted
                0x00, 0x00, 0x00, 0x03,  // generation
                0x00, 0x00, 0x00, 0x01,  // 1 problem
                0x00, 0x00, 0x00, 0x01, 0x78,  // "x"
            ],
            encode: { AdminReply.reloaded(ReloadReport(accepted: false, generation: 3, problems: ["x"])).encode() },
            decodesBack: {
                (try? AdminReply.decode($0, maxBytes: 64)) == .reloaded(ReloadReport(accepted: false, generation: 3, problems: ["x"]))
            }),
        Golden(
            name: "admin reply error(\"no\")",
            bytes: [0x00, 0x00, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x6E, 0x6F],
            encode: { AdminReply.error("no").encode() },
            decodesBack: { (try? AdminReply.decode($0, maxBytes: 64)) == .error("no") }),
        Golden(
            name: "admin reply status with one worker",
            bytes: [
                0x00, 0x00, 0x00, 0x5D, 0x00, 0x01,
                0x00, 0x00, 0x00, 0x64,  // supervisor pid 100
                0x00, 0x00, 0x00, 0x01, 0x6C,  // listening "l"
                0x01,  // draining
                0x00, 0x00, 0x00, 0x03,  // queued
                0x00, 0x00, 0x00, 0x01,  // 1 worker
                0x00, 0x00, 0x00, 0x00,  // slot 0
                0xFF, 0xFF, 0xFF, 0xFF,  // pid -1
                0x00, 0x00, 0x00, 0x04, 0x69, 0x64, 0x6C, 0x65,  // "idle"
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,  // served 5
                0x00, 0x00, 0x00, 0x02,  // generation 2
                0x01, 0x00, 0x00, 0x00, 0x01, 0x71,  // request id "q"
                0x00,  // no token name
                0x00, 0x00, 0x00, 0x07,  // 7 idle keep-alive connections
                0x00, 0x00, 0x00, 0x02,  // generation 2
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,  // refused 9
                0x01, 0x00, 0x00, 0x00, 0x01, 0x68,  // respawn halted "h"
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,  // uptime 256 s
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0B,  // served 11
            ],
            encode: { AdminReply.status(GoldenBytesTests.report).encode() },
            decodesBack: { (try? AdminReply.decode($0, maxBytes: 128)) == .status(GoldenBytesTests.report) }),
        Golden(
            name: "admin request tokenRevoke(\"ab\")",
            bytes: [0x00, 0x00, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00, 0x00, 0x02, 0x61, 0x62],
            encode: { AdminRequest.tokenRevoke(idOrName: "ab").encode() },
            decodesBack: { (try? AdminRequest.decode($0, maxBytes: 64)) == .tokenRevoke(idOrName: "ab") }),
        Golden(
            name: "admin request tokenUpdate(\"t\", rpm 1, verbosity cleared, capture on, principal \"p\")",
            bytes: [
                0x00, 0x00, 0x00, 0x1B, 0x00, 0x0C,
                0x00, 0x00, 0x00, 0x01, 0x74,  // id or name "t"
                0x00,  // scopes kept
                0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // rpm 1
                0x00,  // tpd kept
                0x00,  // max concurrent kept
                0x01,  // verbosity cleared
                0x02,  // capture on
                0x02, 0x00, 0x00, 0x00, 0x01, 0x70,  // principal set to "p"
            ],
            encode: { AdminRequest.tokenUpdate(GoldenBytesTests.update).encode() },
            decodesBack: { (try? AdminRequest.decode($0, maxBytes: 64)) == .tokenUpdate(GoldenBytesTests.update) }),
        Golden(
            name: "admin reply tokenRotated(report, \"b\")",
            bytes: [
                0x00, 0x00, 0x00, 0x42, 0x00, 0x0D,
                0x00, 0x00, 0x00, 0x01, 0x69,  // id "i"
                0x00, 0x00, 0x00, 0x01, 0x6E,  // name "n"
                0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x63, 0x68, 0x61, 0x74,  // scopes ["chat"]
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,  // rpm 2
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // tpd 0
                0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // max concurrent -1
                0x01,  // capture on
                0x00,  // no verbosity
                0x00,  // no principal
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,  // created at 16
                0x00,  // no expiry
                0x00,  // never used
                0x00, 0x00, 0x00, 0x01, 0x62,  // bearer "b"
            ],
            encode: { AdminReply.tokenRotated(GoldenBytesTests.token, bearer: "b").encode() },
            decodesBack: { (try? AdminReply.decode($0, maxBytes: 128)) == .tokenRotated(GoldenBytesTests.token, bearer: "b") }),
        Golden(
            name: "worker requestObserved(chat, POST, 200, \"t\", 1.5 s, first chunk 0x0102)",
            bytes: [
                0x00, 0x00, 0x00, 0x1C, 0x00, 0x18,
                0x01,  // endpoint chatCompletions
                0x01,  // method POST
                0x00, 0xC8,  // status 200
                0x00, 0x00, 0x00, 0x01, 0x74,  // token id "t"
                0x00, 0x00, 0x00, 0x00, 0x00, 0x16, 0xE3, 0x60,  // duration 1_500_000 µs
                0x01,  // streamed
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02,  // first chunk µs
            ],
            encode: { WorkerMessage.requestObserved(Self.observation).encode() },
            decodesBack: { (try? WorkerMessage.decode($0, maxBytes: 64)) == .requestObserved(Self.observation) }),
        Golden(
            name: "supervisor metricsScrape(5)",
            bytes: [0x00, 0x00, 0x00, 0x0A, 0x00, 0x13, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05],
            encode: { SupervisorMessage.metricsScrape(connectionID: 5).encode() },
            decodesBack: { (try? SupervisorMessage.decode($0, maxBytes: 64)) == .metricsScrape(connectionID: 5) }),
        Golden(
            name: "supervisor metricsPart([0x61, 0xFF])",
            bytes: [0x00, 0x00, 0x00, 0x08, 0x00, 0x15, 0x00, 0x00, 0x00, 0x02, 0x61, 0xFF],
            encode: { SupervisorMessage.metricsPart([0x61, 0xFF]).encode() },
            decodesBack: { (try? SupervisorMessage.decode($0, maxBytes: 64)) == .metricsPart([0x61, 0xFF]) }),
    ]

    static let update = TokenUpdateRequest(idOrName: "t", rpm: 1, defaultVerbosity: .clear, debugCapture: true, principal: .set("p"))
    static let token = TokenReport(
        id: "i", name: "n", scopes: ["chat"], rpm: 2, tpd: 0, maxConcurrent: -1, debugCapture: true, defaultVerbosity: nil,
        principal: nil, createdAt: 16, expiresAt: nil, lastUsedAt: nil)

    static let limits = RateLimitFigures(
        requestsLimit: 2, requestsRemaining: 0, tokensLimit: RateLimitFigures.unlimited, tokensRemaining: RateLimitFigures.unlimited)
    static let grant = TokenGrant(tokenID: "i", name: "n", scopes: ["a", "b"], principal: "p", debugCapture: true, defaultVerbosity: nil)
    static let report = StatusReport(
        supervisorPID: 100, listening: "l", draining: true, queued: 3,
        workers: [WorkerReport(slot: 0, pid: -1, state: "idle", served: 5, generation: 2, requestID: "q")], keepAliveIdle: 7,
        generation: 2, refused: 9, respawnHalted: "h", uptimeSeconds: 256, served: 11)

    @Test(arguments: goldens)
    func encodesToGoldenBytes(_ golden: Golden) {
        #expect(golden.encode() == golden.bytes)
    }

    @Test(arguments: goldens)
    func goldenBytesDecode(_ golden: Golden) {
        #expect(golden.decodesBack(golden.bytes))
    }

    @Test("UTF-8 strings are written as raw bytes with a byte count (not a character count)")
    func utf8ByteCount() {
        #expect(
            WorkerMessage.turnFinished(tokenID: "é", inputTokens: 0, outputTokens: 0).encode()
                == [0x00, 0x00, 0x00, 0x18, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02, 0xC3, 0xA9] + [UInt8](repeating: 0, count: 16))
    }
}
