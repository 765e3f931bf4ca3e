// Runs in: a bridge worker (`ccproxy-worker` holding a `/bridge` websocket).
// The server's side of one bridge websocket as pure logic: frames in, frames and decisions
// out, no I/O, no clock (`BridgeServerHandler` is the shell). Phases: hello (the server
// asks first, `Limits.bridgeHelloTimeoutSeconds`), registering with the supervisor, serving.

import CCProxyBridgeProtocol
import CCProxyCore
import Foundation

/// One websocket frame as the conversation sees it.
enum BridgeInbound: Equatable, Sendable {
    case text(Data)
    case binary
    case ping(Data)
    case pong
    /// The peer's close: its status code (nil when the frame had none) and reason.
    case close(code: UInt16?, reason: String)
    /// A continuation or reserved opcode the frame aggregator did not resolve.
    case other
}

/// What the shell does next.
enum BridgeStep: Equatable, Sendable {
    /// Send a text frame.
    case send(Data)
    case pong(Data)
    /// Send a close frame with this status and reason, then close the connection.
    case close(code: UInt16, reason: String)
    /// The daemon answered hello: ask the supervisor to register the bridge.
    case register(HelloResult)
    /// A watch event, for the bridge's FUSE helper.
    case forward(Data)
    /// The daemon answered request `id` (with `errorCode`, or nil: success): for whoever
    /// asked (the FUSE helper, or an exec request of a turn).
    case answer(id: UInt64, errorCode: String?, frame: Data)
}

/// WebSocket close codes (RFC 6455 §7.4.1) the conversation uses.
enum BridgeCloseCode {
    static let normal: UInt16 = 1000
    static let goingAway: UInt16 = 1001
    static let protocolError: UInt16 = 1002
    static let unacceptableData: UInt16 = 1003
    static let policyViolation: UInt16 = 1008
    static let internalError: UInt16 = 1011
}

struct BridgeConversation: Sendable {
    enum Phase: Equatable, Sendable {
        case awaitingHello, registering, serving, closed
    }

    static let helloRequestID: UInt64 = 1
    /// The longest close reason a close frame holds (125 payload bytes minus the code).
    static let maxCloseReasonBytes = 123

    private(set) var phase = Phase.awaitingHello
    let serverVersion: String

    init(serverVersion: String) {
        self.serverVersion = serverVersion
    }

    /// The first frame: the server's hello request.
    func helloRequest() -> Data {
        BridgeCodec.request(id: Self.helloRequestID, method: .hello, params: HelloParams(serverVersion: serverVersion))
    }

    /// A frame arrived.
    mutating func received(_ frame: BridgeInbound) -> [BridgeStep] {
        guard phase != .closed else { return [] }
        switch frame {
        case .ping(let payload):
            return [.pong(payload)]
        case .pong:
            return []
        case .close(let code, let reason):
            // Echo the daemon's code (RFC 6455 §5.5.1); the reason is for the log.
            return close(code ?? BridgeCloseCode.normal, reason.isEmpty ? "daemon closed" : "daemon closed: \(reason)")
        case .binary:
            return close(BridgeCloseCode.unacceptableData, "binary frames are not part of the bridge protocol")
        case .other:
            return close(BridgeCloseCode.protocolError, "unexpected websocket opcode")
        case .text(let bytes):
            return receivedText(bytes)
        }
    }

    private mutating func receivedText(_ bytes: Data) -> [BridgeStep] {
        let head: BridgeFrameHead
        do {
            head = try BridgeCodec.head(of: bytes)
        } catch {
            return close(BridgeCloseCode.protocolError, error.description)
        }
        switch head {
        case .request:
            return close(BridgeCloseCode.policyViolation, "daemon issued a req frame; not supported")
        case .event(let name):
            switch try? BridgeCodec.event(named: name, of: bytes) {
            case .bye(let bye)?:
                return close(BridgeCloseCode.normal, "daemon said bye: \(bye.reason ?? "")")
            case .watch(let watch)?:
                // The helper invalidates its kernel caches for the path: it gets the event
                // re-encoded, never the daemon's bytes.
                return phase == .serving ? [.forward(HelperFrames.watch(watch))] : []
            case nil:
                return []  // an event of a newer daemon, or a malformed watch
            }
        case .response(let id, let error):
            // Once serving, every answer is the helper's (the helper matches ids and drops
            // stale ones); before, only hello's counts.
            if phase == .serving { return [.answer(id: id, errorCode: error?.code.rawValue, frame: bytes)] }
            guard phase == .awaitingHello, id == Self.helloRequestID else { return [] }  // stale
            if let error {
                return close(BridgeCloseCode.policyViolation, "hello rejected: \(error.code.rawValue): \(error.message)")
            }
            do {
                let hello = try BridgeCodec.result(HelloResult.self, of: bytes)
                phase = .registering
                return [.register(hello)]
            } catch {
                return close(BridgeCloseCode.protocolError, "hello result malformed: \(error.description)")
            }
        }
    }

    /// The daemon did not answer hello in time.
    mutating func helloTimedOut() -> [BridgeStep] {
        guard phase == .awaitingHello else { return [] }
        return close(BridgeCloseCode.policyViolation, "hello: no answer within \(Int(Limits.bridgeHelloTimeoutSeconds)) s")
    }

    /// The supervisor registered the bridge.
    mutating func registered() {
        if phase == .registering { phase = .serving }
    }

    /// The supervisor refused it (the principal has a bridge already, too many bridges).
    mutating func refused(_ reason: String) -> [BridgeStep] {
        close(BridgeCloseCode.policyViolation, reason)
    }

    /// The bridge's FUSE helper is gone (crashed, unmounted from outside): without a mount
    /// the bridge is of no use, so the daemon is told, and reconnects to a fresh one.
    mutating func mountEnded(_ reason: String) -> [BridgeStep] {
        close(BridgeCloseCode.internalError, reason)
    }

    /// No frame (not even a ping) for three keep-alive intervals: the path is dead.
    mutating func shutdownSilent() -> [BridgeStep] {
        close(BridgeCloseCode.goingAway, "no frame within \(Int(Limits.bridgePingIntervalSeconds * 3)) s")
    }

    /// The server stops: the daemon is told to reconnect later.
    mutating func shutdown() -> [BridgeStep] {
        close(BridgeCloseCode.goingAway, "server shutting down")
    }

    private mutating func close(_ code: UInt16, _ reason: String) -> [BridgeStep] {
        guard phase != .closed else { return [] }
        phase = .closed
        return [.close(code: code, reason: reason.utf8Prefix(maxBytes: Self.maxCloseReasonBytes))]
    }
}
