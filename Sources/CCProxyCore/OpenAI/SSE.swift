/// Server-sent event framing for `text/event-stream` responses that is not a JSON event
/// (those are written by `ResponseEncoder.event`).
public enum SSE {
    /// The frame that ends every stream: `data: [DONE]\n\n`.
    public static let done: [UInt8] = Array("data: [DONE]\n\n".utf8)
    /// A comment line that keeps idle proxies and clients from timing out a quiet stream;
    /// SSE parsers ignore it.
    public static let keepAlive: [UInt8] = Array(": keep-alive\n\n".utf8)

    /// An error reported inside a stream that has already started (status 200 sent), in
    /// OpenAI's shape: `data: {"error":{…}}\n\n`, the same object a non-streamed error has.
    public static func errorEvent(_ error: APIError) -> [UInt8] {
        var body = error.jsonBody()
        while body.last == UInt8(ascii: "\n") { body.removeLast() }
        var out: [UInt8] = Array("data: ".utf8)
        out.append(contentsOf: body)
        out.append(contentsOf: "\n\n".utf8)
        return out
    }
}
