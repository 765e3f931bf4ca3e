import CCProxyWire
import Testing

/// Representative values of every message case, including edge values (empty and non-ASCII
/// strings, extreme integers, empty and non-empty lists, present and absent optionals).
enum Samples {
    static let grants: [TokenGrant] = [
        TokenGrant(tokenID: "", name: "", scopes: []),
        TokenGrant(
            tokenID: "tok_01H", name: "CI runner", scopes: ["chat", "models", "admin"], principal: "alice@example.com",
            debugCapture: true, defaultVerbosity: "verbose", bridgeMount: "/var/lib/ccproxy/bridges/p-616c696365",
            bridgeExecSocket: "/var/lib/ccproxy/bridges/exec-1.sock"),
        TokenGrant(tokenID: "t", name: "ünïcødé 🚀", scopes: [""], principal: "", debugCapture: false, defaultVerbosity: nil),
        TokenGrant(tokenID: "x", name: "y", scopes: [], principal: nil, debugCapture: true, defaultVerbosity: ""),
        {
            var grant = TokenGrant(tokenID: "capped", name: "at its cap", scopes: ["chat"])
            grant.followUpOnly = true
            return grant
        }(),
    ]

    static let followUps: [FollowUp] = [
        FollowUp(requestID: "", results: [], stream: false, includeUsage: false, model: "", keepAlive: false),
        FollowUp(
            requestID: "req 🚀", results: [.init(callID: "toolu_01", text: "sunny, 21 C"), .init(callID: "", text: "ünï\n")],
            stream: true, includeUsage: true, model: "sonnet", keepAlive: true, http10: true),
    ]

    static let workerMessages: [WorkerMessage] = [
        .hello(protocolVersion: 2, pid: 12345, role: .poolWorker),
        .hello(protocolVersion: 0, pid: 0, role: .bridgeWorker),
        .hello(protocolVersion: .max, pid: .max, role: .fuseHelper),
        .hello(protocolVersion: 7, pid: .min, role: .poolWorker),
        .hello(protocolVersion: 1, pid: -1, role: .poolWorker),
        .authorize(correlation: 0, bearer: "", scope: "", requestID: ""),
        .authorize(correlation: .max, bearer: "sk-" + String(repeating: "a", count: 253), scope: "chat", requestID: "req_01"),
        .authorize(correlation: 42, bearer: "Bearer\u{0}with-nul", scope: "mödels", requestID: "ïd 🚀"),
        .turnFinished(tokenID: "tok_1", inputTokens: 0, outputTokens: 0),
        .turnFinished(tokenID: "", inputTokens: .max, outputTokens: 1),
        .turnFinished(tokenID: "日本語", inputTokens: 0x0102_0304_0506_0708, outputTokens: .max),
        .connectionDone,
        .turnStarted(processGroup: 4242),
        .turnStarted(processGroup: .min),
        .turnStarted(processGroup: .max),
        .turnEnded,
        .handBack(connectionID: 0, reason: .keepAlive, pendingBytes: 0),
        .handBack(connectionID: .max, reason: .incompleteHead, pendingBytes: .max),
        .acquireSession(correlation: 0, name: "", workspace: nil),
        .acquireSession(correlation: .max, name: "sess ünï 🚀", workspace: "project-a"),
        .releaseSession(started: true),
        .releaseSession(started: false),
        .requestObserved(
            RequestObservation(
                endpoint: .models, method: .get, status: 200, tokenID: "", durationMicros: 0, firstChunkMicros: nil)),
        .requestObserved(
            RequestObservation(
                endpoint: .chatCompletions, method: .other, status: .max, tokenID: "tok_ünï 🚀", durationMicros: .max,
                firstChunkMicros: 0)),
        .bridgeCallObserved(BridgeCallObservation(method: "", result: "", durationMicros: 0)),
        .bridgeCallObserved(BridgeCallObservation(method: "readdir", result: "not_found", durationMicros: .max)),
        .registerBridge(correlation: 0, daemonVersion: "", root: "", allowWrite: false, allowExec: false),
        .registerBridge(
            correlation: .max, daemonVersion: "ccproxy-bridge/1.0", root: "/home/ünï/proj 🚀", allowWrite: true,
            allowExec: true),
        .turnWaits(callIDs: ["toolu_01"]),
        .turnWaits(callIDs: []),
        .waitingTurnEnded,
        .findWaitingTurn(correlation: 0, callIDs: ["a", "ünï 🚀"]),
        .findWaitingTurn(correlation: .max, callIDs: []),
        .passToWaitingTurn(connectionID: 0, followUp: followUps[0]),
        .passToWaitingTurn(connectionID: .max, followUp: followUps[1]),
    ]

    static let supervisorMessages: [SupervisorMessage] = [
        .welcome(protocolVersion: 1, slot: 0),
        .welcome(protocolVersion: .max, slot: .max),
        .authorized(correlation: 0, grant: grants[0]),
        .authorized(correlation: .max, grant: grants[1]),
        .authorized(correlation: 9, grant: grants[2]),
        .authorized(correlation: 10, grant: grants[3]),
        .refused(correlation: 1, status: 401, type: "authentication_error", code: "invalid_api_key", message: "Invalid API key."),
        .refused(correlation: 2, status: 429, type: "rate_limit_error", code: nil, message: ""),
        .refused(correlation: .max, status: .max, type: "", code: "", message: "ß → ∞"),
        .handoff(connectionID: 0),
        .handoff(connectionID: .max),
        .shutdown,
        .sessionLeased(correlation: 3, lease: SessionLease(claudeSessionID: "8cc6be02-81d8-46b2-add5-ecd2e2590cd9", resume: false, workspace: nil)),
        .sessionLeased(correlation: .max, lease: SessionLease(claudeSessionID: "", resume: true, workspace: "")),
        .metricsScrape(connectionID: 0),
        .metricsScrape(connectionID: .max),
        .metricsPart([]),
        .metricsPart(Array("# TYPE x counter\nx 1\n".utf8)),
        .metricsPart([0xFF, 0x00, 0xC3]),  // a piece may cut a UTF-8 sequence: bytes, not a string
        .bridgeAccepted(correlation: 0, bridgeID: 0),
        .bridgeAccepted(correlation: .max, bridgeID: .max),
        .waitingTurnFound(correlation: 0, found: false),
        .waitingTurnFound(correlation: .max, found: true),
        .continueWaitingTurn(connectionID: 7, followUp: followUps[1]),
        .continueWaitingTurn(connectionID: .max, followUp: followUps[0]),
        .endWaitingTurn,
    ]

    static let adminRequests: [AdminRequest] = [
        .status, .reload, .sessions, .bridgeList, .endSession(owner: nil, name: "s"), .endSession(owner: "principal:alice", name: "ünï"),
        .tokenCreate(TokenCreateRequest(name: "")),
        .tokenCreate(
            TokenCreateRequest(
                name: "CI ünï", scopes: "chat,workspace:*", ttl: "90d", rpm: .max, tpd: .min, maxConcurrent: -1,
                defaultVerbosity: "verbose", debugCapture: true, principal: "alice", bridge: true)),
        .tokenList,
        .tokenRevoke(idOrName: ""), .tokenRevoke(idOrName: "0123456789abcdef"),
        .tokenRotate(idOrName: "name with spaces"),
        .tokenUpdate(TokenUpdateRequest(idOrName: "x")),
        .tokenUpdate(
            TokenUpdateRequest(
                idOrName: "ci", scopes: "", rpm: 0, tpd: .max, maxConcurrent: .min, defaultVerbosity: .clear, debugCapture: false,
                principal: .set("bob"))),
        .tokenUpdate(
            TokenUpdateRequest(idOrName: "ci", defaultVerbosity: .set("narrated"), debugCapture: true, principal: .clear)),
    ]

    static let tokenReports: [TokenReport] = [
        TokenReport(
            id: "", name: "", scopes: [], rpm: 0, tpd: 0, maxConcurrent: 0, debugCapture: false, defaultVerbosity: nil,
            principal: nil, createdAt: 0, expiresAt: nil, lastUsedAt: nil),
        TokenReport(
            id: "0123456789abcdef", name: "CI runner 🚀", scopes: ["chat", "workspace:*"], rpm: .max, tpd: .min,
            maxConcurrent: 3, debugCapture: true, defaultVerbosity: "verbose", principal: "alice", createdAt: .min,
            expiresAt: .max, lastUsedAt: 1_700_000_000),
    ]

    static let workerReports: [WorkerReport] = [
        WorkerReport(slot: 0, pid: 100, state: "idle", served: 0),
        WorkerReport(slot: 1, pid: .max, state: "busy", served: .max),
        WorkerReport(slot: .max, pid: .min, state: "", served: 3),
        WorkerReport(slot: 3, pid: -1, state: "exiting", served: 99, generation: .max),
        WorkerReport(slot: 4, pid: 7, state: "busy", served: 1, requestID: "req-ü", tokenName: "CI runner"),
        WorkerReport(slot: 5, pid: 8, state: "busy", served: 2, requestID: "", tokenName: nil),
    ]

    static let adminReplies: [AdminReply] = [
        .status(StatusReport(supervisorPID: 1, listening: "127.0.0.1:8080", draining: false, queued: 0, workers: [])),
        .status(StatusReport(supervisorPID: .max, listening: "[::]:443", draining: true, queued: .max, workers: workerReports)),
        .status(StatusReport(supervisorPID: .min, listening: "", draining: false, queued: 7, workers: [workerReports[2]])),
        .status(
            StatusReport(
                supervisorPID: 2, listening: "x", draining: false, queued: 1, workers: workerReports, keepAliveIdle: .max,
                generation: 3, refused: .max, respawnHalted: "worker exited with code 2", uptimeSeconds: .max,
                served: 12)),
        .reloaded(ReloadReport(accepted: true, generation: 2, problems: [])),
        .reloaded(ReloadReport(accepted: false, generation: .max, problems: ["workers.max (0) must be at least 1", "ü"])),
        .error(""),
        .error("pool is draining; try again — later"),
        .sessions([]),
        .sessions([
            SessionReport(owner: "", name: "", claudeSessionID: "", workspace: nil, started: false, createdAt: 0, lastUsedAt: 0, busy: false),
            SessionReport(
                owner: "principal:alice", name: "chat-1", claudeSessionID: "8cc6be02-81d8-46b2-add5-ecd2e2590cd9",
                workspace: "project", started: true, createdAt: .min, lastUsedAt: .max, busy: true),
        ]),
        .sessionsEnded(count: 0, busyOwners: []),
        .sessionsEnded(count: .max, busyOwners: ["token:abc", ""]),
        .tokenCreated(tokenReports[1], bearer: "ccp_01234567_0123456789abcdef01234567"),
        .tokenCreated(tokenReports[0], bearer: ""),
        .tokens([]),
        .tokens(tokenReports),
        .tokenRevoked(tokenReports[0]),
        .tokenRotated(tokenReports[1], bearer: "b"),
        .tokenUpdated(tokenReports[1]),
        .bridges([]),
        .bridges([
            BridgeReport(
                bridgeID: 0, principal: "", workerPID: 0, connectedAt: 0, daemonVersion: "", root: "", allowWrite: false,
                allowExec: false, mountPoint: nil, rpcCount: 0),
            BridgeReport(
                bridgeID: .max, principal: "alice ünï", workerPID: .max, connectedAt: .min, daemonVersion: "ccproxy-bridge/1",
                root: "/home/alice/proj", allowWrite: true, allowExec: true, mountPoint: "/var/lib/ccproxy/bridges/1",
                rpcCount: .max),
        ]),
    ]

    static let fuseManagerRequests: [FuseManagerRequest] = [
        .mount(mountPoint: ""),
        .mount(mountPoint: "/var/lib/ccproxy/bridges/p-616c696365"),
    ]

    /// Every sample frame, tagged with the decoder that owns it.
    static var allFrames: [[UInt8]] {
        workerMessages.map { $0.encode() } + supervisorMessages.map { $0.encode() }
            + adminRequests.map { $0.encode() } + adminReplies.map { $0.encode() }
            + fuseManagerRequests.map { $0.encode() }
    }
}

/// The four decoders behind one interface, for properties that hold for all of them.
enum Decoder: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case worker, supervisor, adminRequest, adminReply, fuseManager

    var testDescription: String { rawValue }

    /// The codes this decoder knows.
    var knownCodes: Set<UInt16> {
        switch self {
        case .worker: return [0, 2, 4, 6, 8, 10, 12, 20, 22, 24, 26, 28, 30, 32, 34, 36]
        case .supervisor: return [1, 3, 5, 7, 9, 17, 19, 21, 27, 29, 31, 33]
        case .adminRequest: return [0, 2, 4, 6, 8, 10, 12, 30, 32, 40]
        case .adminReply: return [1, 3, 5, 7, 9, 11, 13, 15, 31, 33, 41]
        case .fuseManager: return [50]
        }
    }

    /// Decodes, and on success re-encodes the value (every encoding is canonical, so a
    /// successful decode must reproduce the input bytes exactly).
    func decode(_ bytes: [UInt8], maxBytes: Int = 1 << 20) -> Result<[UInt8], WireError> {
        do throws(WireError) {
            switch self {
            case .worker: return .success(try WorkerMessage.decode(bytes, maxBytes: maxBytes).encode())
            case .supervisor: return .success(try SupervisorMessage.decode(bytes, maxBytes: maxBytes).encode())
            case .adminRequest: return .success(try AdminRequest.decode(bytes, maxBytes: maxBytes).encode())
            case .adminReply: return .success(try AdminReply.decode(bytes, maxBytes: maxBytes).encode())
            case .fuseManager: return .success(try FuseManagerRequest.decode(bytes, maxBytes: maxBytes).encode())
            }
        } catch {
            return .failure(error)
        }
    }

    var sampleFrames: [[UInt8]] {
        switch self {
        case .worker: return Samples.workerMessages.map { $0.encode() }
        case .supervisor: return Samples.supervisorMessages.map { $0.encode() }
        case .adminRequest: return Samples.adminRequests.map { $0.encode() }
        case .adminReply: return Samples.adminReplies.map { $0.encode() }
        case .fuseManager: return Samples.fuseManagerRequests.map { $0.encode() }
        }
    }
}

extension Result {
    var error: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}

/// Builds a frame from a code and raw payload bytes (bypassing the typed encoders).
func rawFrame(code: UInt16, _ payload: [UInt8]) -> [UInt8] { Frame.encode(code: code, payload: payload) }

/// Replaces the length prefix so that it matches the bytes that follow.
func fixLength(_ frame: [UInt8]) -> [UInt8] {
    guard frame.count >= 4 else { return frame }
    var w = WireWriter()
    w.u32(UInt32(frame.count - 4))
    return w.bytes + frame[4...]
}

/// A small deterministic generator (SplitMix64): fuzz runs are reproducible from the seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
