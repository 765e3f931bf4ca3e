// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore
import NIOCore

/// claude's stdout bytes → one `ClaudeOutput.event` per newline-terminated line.
///
/// Only an unfinished line is buffered, and it may not grow past `maxLineBytes`: a longer line
/// fails the channel with `ClaudeStreamError.lineTooLong` (the turn then stops claude). Empty
/// lines are skipped; a `"\r"` before the newline is dropped. Parsing never fails: a line that
/// is not stream-json becomes `.unparseable`.
struct StreamJSONDecoder: ByteToMessageDecoder {
    typealias InboundOut = ClaudeOutput

    let maxLineBytes: Int

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > maxLineBytes { throw ClaudeStreamError.lineTooLong(limit: maxLineBytes) }
            return .needMoreData
        }
        let length = newline - view.startIndex
        guard length <= maxLineBytes else { throw ClaudeStreamError.lineTooLong(limit: maxLineBytes) }
        let line = buffer.readBytes(length: length) ?? []
        buffer.moveReaderIndex(forwardBy: 1)
        emit(line, context: context)
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        if buffer.readableBytes > 0, let rest = buffer.readBytes(length: buffer.readableBytes) {
            emit(rest, context: context)
        }
        return .needMoreData
    }

    private func emit(_ line: [UInt8], context: ChannelHandlerContext) {
        var line = line
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        guard !line.isEmpty else { return }
        context.fireChannelRead(wrapInboundOut(.event(ClaudeEventDecoder.decode(line: line))))
    }
}
