// Runs in: a worker (`ccproxy-worker`).
// The worker's side of its channel to the supervisor: one typed stub per request (like
// OpenSSH's monitor_wrap.c), a reader thread that routes answers to their callers and
// hand-offs to the serving loop, and the parent-death watch (channel EOF = supervisor gone).

import CCProxyCore
import CCProxyPosix
public import CCProxyWire
import Foundation
import Synchronization

/// Talks to the supervisor over the channel at `WorkerDescriptors.channel`.
public final class SupervisorClient: Sendable {
    /// What the serving loop waits for.
    public enum Event: Sendable {
        /// A client connection (the descriptor is ours now).
        case connection(id: UInt64, descriptor: Int32)
        /// Finish and exit.
        case shutdown
    }

    private let channel: SeqPacketChannel
    private let state = Mutex(State())
    private let sendLock = Mutex(())
    /// Called on the reader thread when the channel closes (the supervisor died).
    private let onSupervisorGone: @Sendable () -> Void
    public let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation

    private struct State: Sendable {
        var nextCorrelation: UInt32 = 1
        var pending: [UInt32: CheckedContinuation<SupervisorMessage, any Error>] = [:]
        var welcome: CheckedContinuation<UInt32, any Error>?
        var closed = false
    }

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
                try send(.hello(protocolVersion: ProtocolVersion.current, pid: getpid()))
            } catch {
                _ = state.withLock { $0.welcome.take() }.map { $0.resume(throwing: error) }
            }
        }
    }

    /// Asks whether `bearer` may use `scope`.
    /// - Returns: the grant, or the error the client must see.
    public func authorize(bearer: String, scope: String) async throws -> Result<TokenGrant, APIError> {
        let answer = try await request { .authorize(correlation: $0, bearer: bearer, scope: scope) }
        switch answer {
        case .authorized(_, let grant):
            return .success(grant)
        case .refused(_, let status, let type, let code, let message, let retryAfter):
            return .failure(
                APIError(
                    status: Int(status), type: type, code: code, message: message,
                    retryAfterSeconds: retryAfter > 0 ? Int(retryAfter) : nil))
        default:
            throw WireError.unknownType(answer.code)
        }
    }

    /// Sends a message that has no answer.
    public func send(_ message: WorkerMessage) throws {
        try sendLock.withLock { _ in try channel.send(message.encode()) }
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
            guard case .message(let bytes, let descriptor) = received else { break }
            let message: SupervisorMessage
            do {
                message = try SupervisorMessage.decode(bytes, maxBytes: Limits.maxWorkerFrameBytes)
            } catch {
                closeDescriptor(descriptor ?? -1)
                break
            }
            guard message.carriesDescriptor == (descriptor != nil) else {
                closeDescriptor(descriptor ?? -1)
                break
            }
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

    private func route(_ message: SupervisorMessage, descriptor: Int32?) {
        switch message {
        case .welcome(let version, let slot):
            let continuation = state.withLock { $0.welcome.take() }
            if version == ProtocolVersion.current {
                continuation?.resume(returning: slot)
            } else {
                continuation?.resume(throwing: WireError.malformed(field: "protocolVersion"))
            }
        case .authorized(let correlation, _), .refused(let correlation, _, _, _, _, _):
            let continuation = state.withLock { $0.pending.removeValue(forKey: correlation) }
            continuation?.resume(returning: message)
        case .handoff(let id):
            if let descriptor { eventSink.yield(.connection(id: id, descriptor: descriptor)) }
        case .shutdown:
            eventSink.yield(.shutdown)
        }
    }
}
