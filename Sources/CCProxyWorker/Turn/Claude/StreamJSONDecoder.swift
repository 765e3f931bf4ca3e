// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore
import NIOCore

/// claude's stdout bytes → one `ClaudeOutput.event` per newline-terminated line.
///
/// The framing rules are `LineSplitter`'s (pure, tested on its own against the recorded
/// fixtures): only an unfinished line is kept, and never past `maxLineBytes` — a longer line
/// fails the channel with `ClaudeStreamError.lineTooLong` (the turn then stops claude). This
/// adapter only moves bytes from NIO's buffer into it and events out. Parsing never fails: a
/// line that is not stream-json becomes `.unparseable`.
struct StreamJSONDecoder: ByteToMessageDecoder {
    typealias InboundOut = ClaudeOutput

    private var splitter: LineSplitter
    private let keepRawLines: Bool

    /// - Parameter keepRawLines: whether each event carries its line (only a debug capture
    ///   needs it; otherwise the bytes are dropped once parsed).
    init(maxLineBytes: Int, keepRawLines: Bool = false) {
        splitter = LineSplitter(maxLineBytes: maxLineBytes)
        self.keepRawLines = keepRawLines
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes > 0 else { return .needMoreData }
        let lines = try splitter.append(buffer.readableBytesView)
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        for line in lines { emit(line, context: context) }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        _ = try decode(context: context, buffer: &buffer)
        if let rest = splitter.finish() { emit(rest, context: context) }
        return .needMoreData
    }

    private func emit(_ line: [UInt8], context: ChannelHandlerContext) {
        context.fireChannelRead(wrapInboundOut(.event(ClaudeEventDecoder.decode(line: line), raw: keepRawLines ? line : nil)))
    }
}
