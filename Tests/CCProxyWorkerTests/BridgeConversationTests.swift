// The server's side of a bridge websocket, frame by frame (pure), and the handshake checks.

import CCProxyBridgeProtocol
import CCProxyCore
import CCProxyWire
import Foundation
import NIOHTTP1
import Testing

@testable import CCProxyWorker

@Suite struct BridgeConversationTests {
    let hello = HelloResult(
        daemonVersion: "ccproxy-bridge/0.1.0", protocolVersion: 1, root: "/home/alice/proj", capabilities: ["stat"],
        allowWrite: true, allowExec: false, watch: true)

    private func answered() -> BridgeConversation {
        var c = BridgeConversation(serverVersion: "ccproxy/test")
        _ = c.received(.text(BridgeCodec.response(id: 1, result: hello)))
        return c
    }

    @Test func theServerAsksHelloFirstWithItsVersion() throws {
        let c = BridgeConversation(serverVersion: "ccproxy/9.9")
        let head = try BridgeCodec.head(of: c.helloRequest())
        #expect(head == .request(id: 1, method: "hello"))
        #expect(String(decoding: c.helloRequest(), as: UTF8.self).contains("\"server_version\":\"ccproxy/9.9\""))
        #expect(c.phase == .awaitingHello)
    }

    @Test func aHelloAnswerAsksForRegistrationThenServing() {
        var c = BridgeConversation(serverVersion: "ccproxy/test")
        #expect(c.received(.text(BridgeCodec.response(id: 1, result: hello))) == [.register(hello)])
        #expect(c.phase == .registering)
        #expect(c.helloTimedOut() == [], "the timer is moot once hello was answered")
        c.registered()
        #expect(c.phase == .serving)
    }

    @Test func helloFailuresCloseWithTheReferenceReasons() {
        var rejected = BridgeConversation(serverVersion: "s")
        let error = BridgeCodec.failure(id: 1, BridgeError(.permissionDenied, "no"))
        #expect(rejected.received(.text(error)) == [.close(code: 1008, reason: "hello rejected: permission_denied: no")])

        var malformed = BridgeConversation(serverVersion: "s")
        let bad = Data(#"{"id":1,"type":"resp","result":{"daemon_version":7}}"#.utf8)
        guard case .close(1002, let reason)? = malformed.received(.text(bad)).first else {
            Issue.record("a malformed hello result must close with 1002")
            return
        }
        #expect(reason.hasPrefix("hello result malformed: "))

        var silent = BridgeConversation(serverVersion: "s")
        #expect(silent.helloTimedOut() == [.close(code: 1008, reason: "hello: no answer within 3 s")])
        #expect(silent.phase == .closed)
        #expect(silent.received(.ping(Data())) == [], "nothing after the close")
    }

    @Test func whileServingAnswersAndWatchEventsGoToTheMountAndUnknownEventsAreIgnored() {
        var c = answered()
        let watch = BridgeCodec.event(.watch(WatchEvent(path: "a.txt", kind: .modified)))
        let answer = BridgeCodec.response(id: 77, result: hello)
        // Registering: nothing is mounted yet, so nothing is forwarded.
        #expect(c.received(.text(answer)) == [])
        #expect(c.received(.text(watch)) == [])
        c.registered()
        #expect(c.received(.text(answer)) == [.answer(id: 77, errorCode: nil, frame: answer)])
        let failure = BridgeCodec.failure(id: 78, BridgeError(.notFound, "gone"))
        #expect(c.received(.text(failure)) == [.answer(id: 78, errorCode: "not_found", frame: failure)])
        #expect(c.received(.text(watch)) == [.forward(watch)])
        // The daemon's own bytes never go on: the event is re-encoded from its typed value.
        let unusual = Data(#"{"params":{"kind":"modified","path":"a.txt","extra":[[[1]]]},"method":"watch","type":"event"}"#.utf8)
        #expect(c.received(.text(unusual)) == [.forward(watch)])
        #expect(c.received(.text(Data(#"{"type":"event","method":"from_the_future"}"#.utf8))) == [])
        #expect(c.phase == .serving)
        #expect(c.mountEnded("the bridge's mount on the server ended") == [.close(code: 1011, reason: "the bridge's mount on the server ended")])
    }

    @Test func protocolBreachesClose() {
        var request = answered()
        let req = BridgeCodec.request(id: 5, method: .stat, params: PathParams(path: "x"))
        #expect(request.received(.text(req)) == [.close(code: 1008, reason: "daemon issued a req frame; not supported")])

        var binary = answered()
        #expect(binary.received(.binary) == [.close(code: 1003, reason: "binary frames are not part of the bridge protocol")])

        var garbage = answered()
        guard case .close(1002, let reason)? = garbage.received(.text(Data("not json".utf8))).first else {
            Issue.record("garbage must close with 1002")
            return
        }
        #expect(reason.hasPrefix("malformed frame"))
    }

    @Test func byePingsAndTheDaemonsClose() {
        var c = answered()
        #expect(c.received(.ping(Data("ka".utf8))) == [.pong(Data("ka".utf8))])
        #expect(c.received(.pong) == [])
        let bye = BridgeCodec.event(.bye(ByeEvent(reason: "SIGTERM")))
        #expect(c.received(.text(bye)) == [.close(code: 1000, reason: "daemon said bye: SIGTERM")])

        var closed = answered()
        #expect(closed.received(.close(code: 1001, reason: "bye")) == [.close(code: 1001, reason: "daemon closed: bye")])
        var bare = answered()
        #expect(bare.received(.close(code: nil, reason: "")) == [.close(code: 1000, reason: "daemon closed")])
    }

    @Test func refusalShutdownAndLongReasons() {
        var refused = answered()
        #expect(refused.refused("register: principal already has an active bridge")
            == [.close(code: 1008, reason: "register: principal already has an active bridge")])
        var stopping = answered()
        stopping.registered()
        #expect(stopping.shutdown() == [.close(code: 1001, reason: "server shutting down")])
        #expect(stopping.shutdown() == [], "one close only")
        var long = answered()
        guard case .close(_, let reason)? = long.refused(String(repeating: "é", count: 200)).first else {
            Issue.record("a refusal closes")
            return
        }
        #expect(reason.utf8.count <= BridgeConversation.maxCloseReasonBytes)
    }

    @Test func theHandshakeChecks() {
        var ok = HTTPHeaders()
        ok.add(name: "Upgrade", value: "websocket")
        ok.add(name: "Connection", value: "keep-alive, Upgrade")
        ok.add(name: "Sec-WebSocket-Version", value: "13")
        ok.add(name: "Sec-WebSocket-Key", value: "dGhlIHNhbXBsZSBub25jZQ==")
        #expect(BridgeUpgrade.problem(headers: ok) == nil)

        #expect(BridgeUpgrade.problem(headers: HTTPHeaders())?.status == 426)
        var noConnection = ok
        noConnection.remove(name: "Connection")
        #expect(BridgeUpgrade.problem(headers: noConnection)?.status == 400)
        var oldVersion = ok
        oldVersion.replaceOrAdd(name: "Sec-WebSocket-Version", value: "8")
        #expect(BridgeUpgrade.problem(headers: oldVersion)?.status == 400)
        for key in ["", "short", "dGhlIHNhbXBsZSBub25jZQ=", "dGhlIHNhbXBsZSBub25jZQ!=", "dGhlIHNhbXBsZSBub25jZ===="] {
            var bad = ok
            bad.replaceOrAdd(name: "Sec-WebSocket-Key", value: key)
            #expect(BridgeUpgrade.problem(headers: bad)?.status == 400, "key \(key)")
        }
    }
}

@Suite struct BridgeCallMeterTests {
    @Test func timesAnswersAndForgetsTheOldestPastCapacity() {
        var meter = BridgeCallMeter(capacity: 2)
        meter.requested(id: 1, method: "stat", atMicros: 100)
        meter.requested(id: 2, method: "read", atMicros: 150)
        #expect(meter.answered(id: 1, errorCode: nil, atMicros: 400) == BridgeCallObservation(method: "stat", result: "ok", durationMicros: 300))
        #expect(meter.answered(id: 1, errorCode: nil, atMicros: 500) == nil, "answered once")
        meter.requested(id: 3, method: "write", atMicros: 200)
        meter.requested(id: 4, method: "mkdir", atMicros: 210)
        #expect(meter.pendingCount == 2)
        #expect(meter.answered(id: 2, errorCode: "not_found", atMicros: 300) == nil, "the oldest was forgotten")
        #expect(meter.answered(id: 4, errorCode: "not_found", atMicros: 200) == BridgeCallObservation(method: "mkdir", result: "not_found", durationMicros: 0))
        meter.requested(id: 5, method: String(repeating: "m", count: 100), atMicros: 0)
        #expect(meter.answered(id: 5, errorCode: nil, atMicros: 1)?.method.utf8.count == BridgeCallObservation.maxNameBytes)
    }
}
