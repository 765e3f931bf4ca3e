/// Server-sent event framing for `text/event-stream` responses.
public enum SSE {
    /// The frame that ends every stream: `data: [DONE]\n\n`.
    public static let done: [UInt8] = Array("data: [DONE]\n\n".utf8)

    /// `json` (one line, no newline inside) as one frame: `data: <json>\n\n`.
    public static func frame(json: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.utf8.count + 8)
        out.append(contentsOf: "data: ".utf8)
        out.append(contentsOf: json.utf8)
        out.append(contentsOf: "\n\n".utf8)
        return out
    }

    /// An error reported inside a stream that has already started (status 200 sent), in
    /// OpenAI's shape: `data: {"error":{…}}\n\n`. Send it before `done`.
    public static func errorFrame(_ error: APIError) -> [UInt8] {
        var body = error.jsonBody()
        while body.last == UInt8(ascii: "\n") { body.removeLast() }
        var out: [UInt8] = Array("data: ".utf8)
        out.append(contentsOf: body)
        out.append(contentsOf: "\n\n".utf8)
        return out
    }
}
