import CCProxyBridgeProtocol
import CCProxyCore
import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import CCProxyBridgeDaemon

/// The websocket session on an embedded channel, event by event: keep-alive pings, the
/// server's close, and frames that break the protocol. (Requests are answered on the
/// dispatcher's queues, off the loop, which an embedded channel does not allow; the
/// black-box tests cover them.)
@Suite("Session handler")
final class SessionHandlerTests {
    let root: URL
    let channel = EmbeddedChannel()
    let link = BridgeLink()
    let interval = TimeAmount.milliseconds(Int64(Limits.bridgePingIntervalSeconds * 1000))

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let fs = try RootedFileSystem(root: root.path)
        let options = BridgeDaemonOptions(server: try #require(BridgeServerAddress("ws://h/bridge")), root: root.path, token: "t")
        let logger = Logger(label: "test")
        let dispatcher = BridgeDispatcher(fs: fs, options: options, confirmer: nil, audit: nil, logger: logger)
        link.attach(channel)
        try channel.pipeline.syncOperations.addHandler(BridgeSessionHandler(dispatcher: dispatcher, link: link, logger: logger))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    deinit {
        _ = try? channel.finish()
        try? FileManager.default.removeItem(at: root)
    }

    private func outbound() throws -> WebSocketFrame? { try channel.readOutbound(as: WebSocketFrame.self) }

    private func frame(_ opcode: WebSocketOpcode, _ bytes: [UInt8]) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: opcode, data: channel.allocator.buffer(bytes: bytes))
    }

    /// An outbound frame's payload is kept unmasked (the encoder masks it on the wire).
    private func closeCodeAndReason(_ f: WebSocketFrame) -> (WebSocketErrorCode?, String) {
        var data = f.data
        let code = data.readWebSocketErrorCode()
        return (code, data.readString(length: data.readableBytes) ?? "")
    }

    @Test func pingsAndDropsAfterTwoUnanswered() throws {
        #expect(link.upgraded)
        #expect(try outbound() == nil)
        channel.embeddedEventLoop.advanceTime(by: interval)
        let ping = try #require(try outbound())
        #expect(ping.opcode == .ping)
        #expect(ping.maskKey != nil, "client frames are masked")
        channel.embeddedEventLoop.advanceTime(by: interval)
        #expect(try outbound()?.opcode == .ping)
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: interval)
        #expect(!channel.isActive)
        #expect(link.closeReason == "no answer to two pings")
    }

    @Test func anyFrameFromTheServerCountsAsAnAnswer() throws {
        for _ in 0..<5 {
            channel.embeddedEventLoop.advanceTime(by: interval)
            #expect(try outbound()?.opcode == .ping)
            try channel.writeInbound(frame(.pong, Array("ka".utf8)))
        }
        #expect(channel.isActive)
    }

    @Test func answersPings() throws {
        try channel.writeInbound(frame(.ping, [1, 2, 3]))
        let pong = try #require(try outbound())
        #expect(pong.opcode == .pong)
        #expect(Array(pong.data.readableBytesView) == [1, 2, 3])
    }

    @Test func echoesTheServersCloseAndRecordsItsReason() throws {
        var data = channel.allocator.buffer(capacity: 64)
        data.write(webSocketErrorCode: .policyViolation)
        data.writeString("register: bridge: principal already has an active bridge")
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))
        let echo = try #require(try outbound())
        #expect(echo.opcode == .connectionClose)
        #expect(closeCodeAndReason(echo).0 == .policyViolation)
        #expect(!channel.isActive)
        #expect(link.closeReason == "server closed: register: bridge: principal already has an active bridge")
    }

    @Test func malformedTextClosesWithProtocolError() throws {
        try channel.writeInbound(frame(.text, Array("not json".utf8)))
        let close = try #require(try outbound())
        #expect(close.opcode == .connectionClose)
        let (code, reason) = closeCodeAndReason(close)
        #expect(code == .protocolError)
        #expect(reason == "malformed frame: not JSON")
        #expect(!channel.isActive)
    }

    @Test func unknownFrameTypeCloses() throws {
        try channel.writeInbound(frame(.text, Array(#"{"id":1,"type":"push"}"#.utf8)))
        let close = try #require(try outbound())
        #expect(closeCodeAndReason(close) == (.protocolError, "unknown frame type: push"))
    }

    @Test func binaryFramesClose() throws {
        try channel.writeInbound(frame(.binary, [0]))
        let close = try #require(try outbound())
        #expect(closeCodeAndReason(close).0 == .unacceptableData)
    }

    @Test func responsesAndEventsFromTheServerAreIgnored() throws {
        try channel.writeInbound(frame(.text, Array(#"{"id":4,"type":"resp","result":{}}"#.utf8)))
        try channel.writeInbound(frame(.text, Array(#"{"type":"event","method":"watch","params":{"path":"a","kind":"created"}}"#.utf8)))
        #expect(try outbound() == nil)
        #expect(channel.isActive)
    }
}
