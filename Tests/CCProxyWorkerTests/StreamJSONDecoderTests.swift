import CCProxyClaude
import CCProxyCore
import NIOCore
import NIOEmbedded
import Testing

@testable import CCProxyWorker

/// claude's stdout framing on the event loop: lines in, events out, bounded.
@Suite("StreamJSONDecoder")
struct StreamJSONDecoderTests {
    private func channel(maxLineBytes: Int = 1024) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(StreamJSONDecoder(maxLineBytes: maxLineBytes)))
        return channel
    }

    private func events(_ channel: EmbeddedChannel) throws -> [ClaudeEvent] {
        var out: [ClaudeEvent] = []
        while let item = try channel.readInbound(as: ClaudeOutput.self) {
            if case .event(let event, _) = item { out.append(event) }
        }
        return out
    }

    @Test("lines split across reads, CRLF and empty lines")
    func framing() throws {
        let channel = try channel()
        let text = "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s1\"}\r\n\n{\"type\":\"rate_limit_event\"}\n"
        let bytes = Array(text.utf8)
        // One byte at a time: the worst split there is.
        for byte in bytes { try channel.writeInbound(ByteBuffer(bytes: [byte])) }
        let seen = try events(channel)
        #expect(seen == [.system(subtype: "init", sessionID: "s1"), .other(type: "rate_limit_event")])
        #expect(try channel.finish().isClean)
    }

    @Test("a last line without a newline is still an event at EOF")
    func lastLine() throws {
        let channel = try channel()
        try channel.writeInbound(ByteBuffer(string: "{\"type\":\"rate_limit_event\"}"))
        #expect(try events(channel).isEmpty)
        _ = try channel.finish(acceptAlreadyClosed: true)
        // finish() runs decodeLast; what it produced is still readable.
        let seen = try events(channel)
        #expect(seen == [.other(type: "rate_limit_event")])
    }

    @Test("garbage is an unparseable event, not an error")
    func garbage() throws {
        let channel = try channel()
        try channel.writeInbound(ByteBuffer(string: "not json\n"))
        let seen = try events(channel)
        #expect(seen.count == 1)
        if case .unparseable = seen.first {} else { Issue.record("expected .unparseable, got \(seen)") }
    }

    @Test("a line over the limit fails the channel, with or without its newline")
    func overlong() throws {
        let withoutNewline = try channel(maxLineBytes: 16)
        #expect(throws: ClaudeStreamError.lineTooLong(limit: 16)) {
            try withoutNewline.writeInbound(ByteBuffer(string: String(repeating: "x", count: 17)))
        }
        let withNewline = try channel(maxLineBytes: 16)
        #expect(throws: ClaudeStreamError.lineTooLong(limit: 16)) {
            try withNewline.writeInbound(ByteBuffer(string: String(repeating: "x", count: 17) + "\n"))
        }
        let exact = try channel(maxLineBytes: 16)
        try exact.writeInbound(ByteBuffer(string: String(repeating: "x", count: 16) + "\n"))
        #expect(try events(exact).count == 1)
    }
}
