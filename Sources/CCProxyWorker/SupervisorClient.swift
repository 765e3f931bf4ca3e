// Runs in: a worker (`ccproxy-worker`).
// The worker's side of its channel to the supervisor: one typed stub per request (like
// OpenSSH's monitor_wrap.c), a reader thread that routes answers to their callers and
// hand-offs to the serving loop, and the parent-death watch (channel EOF = supervisor gone).

import CCProxyCore
import CCProxyPosix
public import CCProxyWire
import Foundation

/// A descriptor received from the supervisor, in transit to the serving loop (an
/// `AsyncStream` element must be copyable; the descriptor inside is taken exactly once).
public final class ReceivedDescriptor: Sendable {
    private let slot: Locked<OwnedDescriptor?>

    init(_ descriptor: consuming OwnedDescriptor) {
        slot = Locked(.some(descriptor))
    }

    /// The descriptor, the first time; nil afterwards.
    public func take() -> OwnedDescriptor? {
        slot.withLock { $0.take() }
    }
}

/// Talks to the supervisor over the channel at `WorkerDescriptors.channel`.
public final class SupervisorClient: Sendable {
    /// What the serving loop waits for.
    public enum Event: Sendable {
        /// A client connection (the descriptor is ours now).
        case connection(id: UInt64, descriptor: ReceivedDescriptor)
        /// A metrics scrape connection (the descriptor is ours now) and the exposition to answer it with.
        case scrape(id: UInt64, descriptor: ReceivedDescriptor, exposition: [UInt8])
        /// Finish and exit.
        case shutdown
        /// The follow-up of this worker's waiting turn, on a connection that is ours now.
        case continueWaitingTurn(id: UInt64, descriptor: ReceivedDescriptor, followUp: FollowUp)
        /// The waiting turn has waited long enough: end it.
        case endWaitingTurn
        /// Not from the supervisor: this worker's waiting turn ended by itself (its claude
        /// exited), posted by the turn so that the serving loop learns it (`post`).
        case waitingTurnOver
    }

    private let channel: SeqPacketChannel
    private let state = Locked(State())
    private let sendLock = Locked(())
    /// Called on the reader thread when the channel closes (the supervisor died).
    private let onSupervisorGone: @Sendable () -> Void
    public let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation

    private struct State: Sendable {
        var nextCorrelation: UInt32 = 1
        var pending: [UInt32: CheckedContinuation<SupervisorMessage, any Error>] = [:]
        var welcome: CheckedContinuation<UInt32, any Error>?
        var closed = false
        var draining = false
        /// `metricsPart` frames received since the last `metricsScrape`.
        var exposition: [UInt8] = []
        /// The FUSE helper channel that came with a `bridgeAccepted`, by correlation.
        var bridgeChannels: [UInt32: ReceivedDescriptor] = [:]
    }

    /// Whether the supervisor asked this worker to stop: responses from now on close their
    /// connection (`Connection: close`) instead of keeping it alive.
    public var isDraining: Bool { state.withLock { $0.draining } }

    public init(channel: SeqPacketChannel, onSupervisorGone: @escaping @Sendable () -> Void) {
        self.channel = channel
        self.onSupervisorGone = onSupervisorGone
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
    }

    /// Says hello and waits for `welcome`. Returns the worker's slot number.
    public func connect() async throws -> UInt32 {
        let thread = Thread { [self] in readLoop() }
        thread.name = "supervisor-channel"
        thread.start()
        return try await withCheckedThrowingContinuation { continuation in
            state.withLock { $0.welcome = continuation }
            do {
                try send(.hello(protocolVersion: ProtocolVersion.current, pid: getpid(), role: .poolWorker))
            } catch {
                _ = state.withLock { $0.welcome.take() }.map { $0.resume(throwing: error) }
            }
        }
    }

    /// Asks whether `bearer` may use `scope`, for the request `requestID` (which
    /// `ccproxyctl status` shows while the request is in progress).
    /// - Returns: the grant, or the error the client must see (with the token's limits when
    ///   the bearer was authenticated).
    public func authorize(bearer: String, scope: String, requestID: String) async throws -> Result<TokenGrant, SupervisorRefusal> {
        let answer = try await request { .authorize(correlation: $0, bearer: bearer, scope: scope, requestID: requestID) }
        switch answer {
        case .authorized(_, let grant):
            RequestRecord.current?.noteToken(name: grant.name, id: grant.tokenID)
            return .success(grant)
        case .refused(_, let status, let type, let code, let message, let retryAfter, let limits):
            return .failure(
                SupervisorRefusal(
                    error: Self.clientError(status: status, type: type, code: code, message: message, retryAfter: retryAfter),
                    limits: limits))
        default:
            throw WireError.unknownType(answer.code)
        }
    }

    /// Asks for persistent session `name` for the current turn (of the owner of the token the
    /// supervisor granted on this connection). May wait while another turn holds it.
    /// - Returns: the lease, or the error the client must see (403 scope, 409 busy, 503).
    public func acquireSession(name: String, workspace: String?) async throws -> Result<SessionLease, APIError> {
        let answer = try await request { .acquireSession(correlation: $0, name: name, workspace: workspace) }
        switch answer {
        case .sessionLeased(_, let lease):
            return .success(lease)
        case .refused(_, let status, let type, let code, let message, let retryAfter, _):
            return .failure(Self.clientError(status: status, type: type, code: code, message: message, retryAfter: retryAfter))
        default:
            throw WireError.unknownType(answer.code)
        }
    }

    /// Asks to hold the bridge of the principal of the request in progress (a `GET /bridge`
    /// whose websocket said hello). Accepted, this worker is a bridge worker from now on:
    /// out of the pool until the websocket ends, when it exits.
    /// - Returns: the bridge's number and this worker's end of the stream socket to the
    ///   bridge's FUSE helper, or why it is refused (409: the principal has one).
    public func registerBridge(daemonVersion: String, root: String, allowWrite: Bool, allowExec: Bool) async throws
        -> Result<(bridgeID: UInt64, helperChannel: ReceivedDescriptor), APIError>
    {
        let answer = try await request {
            .registerBridge(
                correlation: $0, daemonVersion: Self.cut(daemonVersion), root: Self.cut(root), allowWrite: allowWrite,
                allowExec: allowExec)
        }
        switch answer {
        case .bridgeAccepted(let correlation, let bridgeID):
            guard let channel = state.withLock({ $0.bridgeChannels.removeValue(forKey: correlation) }) else {
                throw WireError.malformed(field: "bridgeAccepted descriptor")
            }
            return .success((bridgeID, channel))
        case .refused(_, let status, let type, let code, let message, let retryAfter, _):
            return .failure(Self.clientError(status: status, type: type, code: code, message: message, retryAfter: retryAfter))
        default:
            throw WireError.unknownType(answer.code)
        }
    }

    /// Asks whether a turn of the current request's token waits for exactly `callIDs`'
    /// results; found, it is reserved for this connection until `passToWaitingTurn`.
    public func findWaitingTurn(callIDs: [String]) async throws -> Bool {
        let answer = try await request { .findWaitingTurn(correlation: $0, callIDs: callIDs) }
        guard case .waitingTurnFound(_, let found) = answer else { throw WireError.unknownType(answer.code) }
        return found
    }

    /// Puts an event of this worker's own into the serving loop's stream (see `waitingTurnOver`).
    public func post(_ event: Event) {
        eventSink.yield(event)
    }

    /// The daemon's own words, cut to what the supervisor accepts (it shows them, never uses them).
    private static func cut(_ text: String) -> String {
        text.utf8Prefix(maxBytes: Limits.maxBridgeDescriptionBytes)
    }

    /// The error a client sees for a `refused` answer (a zero `retryAfter` means none).
    private static func clientError(status: UInt16, type: String, code: String?, message: String, retryAfter: UInt32) -> APIError {
        APIError(
            status: Int(status), type: type, code: code, message: message,
            retryAfterSeconds: retryAfter > 0 ? Int(retryAfter) : nil)
    }

    /// Sends a message that has no answer.
    public func send(_ message: WorkerMessage) throws {
        if case .turnFinished(_, let input, let output) = message {
            RequestRecord.current?.noteUsage(input: input, output: output)
        }
        try sendLock.withLock { _ in try channel.send(message.encode()) }
    }

    /// Sends a message that carries a descriptor (`handBack`); the descriptor goes to the
    /// supervisor and this process's copy is closed, sent or not.
    public func send(_ message: WorkerMessage, passing descriptor: consuming OwnedDescriptor) throws {
        precondition(message.carriesDescriptor, "\(message) may not carry a descriptor")
        let bytes = message.encode()
        var owned = Optional.some(descriptor)
        try sendLock.withLock { _ in
            guard let fd = owned.take() else { return }
            try channel.send(bytes, passing: fd)
        }
    }

    private func request(_ make: (UInt32) -> WorkerMessage) async throws -> SupervisorMessage {
        let correlation = state.withLock { state -> UInt32 in
            defer { state.nextCorrelation &+= 1 }
            return state.nextCorrelation
        }
        let message = make(correlation)
        return try await withCheckedThrowingContinuation { continuation in
            let closed = state.withLock { state -> Bool in
                if state.closed { return true }
                state.pending[correlation] = continuation
                return false
            }
            if closed {
                continuation.resume(throwing: PosixError("recvmsg", errno: ECONNRESET))
                return
            }
            do {
                try send(message)
            } catch {
                _ = state.withLock { $0.pending.removeValue(forKey: correlation) }.map { $0.resume(throwing: error) }
            }
        }
    }

    /// The reader thread: blocking receives until the channel closes.
    private func readLoop() {
        while true {
            let received: SeqPacketChannel.Received
            do {
                received = try channel.receive(maxBytes: Limits.maxWorkerFrameBytes)
            } catch {
                break
            }
            let bytes: [UInt8]
            let descriptor: OwnedDescriptor?
            switch consume received {
            case .message(let payload, let attached):
                bytes = payload
                descriptor = attached
            case .descriptorLost(let payload):
                // Out of descriptors: a handed-off connection is lost; say it is done.
                let lost = try? SupervisorMessage.decode(payload, maxBytes: Limits.maxWorkerFrameBytes)
                if lost?.carriesDescriptor == true {
                    state.withLock { $0.exposition = [] }
                    try? send(.connectionDone)
                    continue
                }
                bytes = []
                descriptor = nil
            case .closed:
                bytes = []
                descriptor = nil
            case .wouldBlock:
                bytes = []
                descriptor = nil
            }
            guard !bytes.isEmpty else { break }
            let message: SupervisorMessage
            do {
                message = try SupervisorMessage.decode(bytes, maxBytes: Limits.maxWorkerFrameBytes)
            } catch {
                break
            }
            guard message.carriesDescriptor == (descriptor != nil) else { break }
            route(message, descriptor: descriptor)
        }
        let (pending, welcome) = state.withLock { state in
            state.closed = true
            defer { state.pending.removeAll(); state.welcome = nil }
            return (Array(state.pending.values), state.welcome)
        }
        let gone = PosixError("recvmsg", errno: ECONNRESET)
        for continuation in pending { continuation.resume(throwing: gone) }
        welcome?.resume(throwing: gone)
        eventSink.finish()
        onSupervisorGone()
    }

    private func route(_ message: SupervisorMessage, descriptor: consuming OwnedDescriptor?) {
        switch message {
        case .welcome(let version, let slot):
            let continuation = state.withLock { $0.welcome.take() }
            if version == ProtocolVersion.current {
                continuation?.resume(returning: slot)
            } else {
                continuation?.resume(throwing: WireError.malformed(field: "protocolVersion"))
            }
        case .authorized(let correlation, _), .refused(let correlation, _, _, _, _, _, _), .sessionLeased(let correlation, _),
            .waitingTurnFound(let correlation, _):
            let continuation = state.withLock { $0.pending.removeValue(forKey: correlation) }
            continuation?.resume(returning: message)
        case .bridgeAccepted(let correlation, _):
            let continuation = state.withLock { state in
                if let descriptor = descriptor.take() { state.bridgeChannels[correlation] = ReceivedDescriptor(descriptor) }
                return state.pending.removeValue(forKey: correlation)
            }
            continuation?.resume(returning: message)
        case .handoff(let id):
            if let descriptor = descriptor.take() {
                eventSink.yield(.connection(id: id, descriptor: ReceivedDescriptor(descriptor)))
            }
        case .metricsPart(let bytes):
            state.withLock { state in
                let room = max(0, Limits.maxMetricsExpositionBytes - state.exposition.count)
                state.exposition.append(contentsOf: bytes.prefix(room))
            }
        case .metricsScrape(let id):
            let exposition = state.withLock { state in
                defer { state.exposition = [] }
                return state.exposition
            }
            if let descriptor = descriptor.take() {
                eventSink.yield(.scrape(id: id, descriptor: ReceivedDescriptor(descriptor), exposition: exposition))
            }
        case .continueWaitingTurn(let id, let followUp):
            if let descriptor = descriptor.take() {
                eventSink.yield(.continueWaitingTurn(id: id, descriptor: ReceivedDescriptor(descriptor), followUp: followUp))
            }
        case .endWaitingTurn:
            eventSink.yield(.endWaitingTurn)
        case .shutdown:
            state.withLock { $0.draining = true }
            eventSink.yield(.shutdown)
        }
    }
}
