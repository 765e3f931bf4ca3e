/// A complete, non-streamed answer: `object` `chat.completion`, one choice whose message has
/// role `assistant`.
public struct ChatCompletion: Sendable, Equatable {
    public var id: String
    public var created: Int
    public var model: String
    /// The assistant's text.
    public var content: String
    /// `stop`, `length`, `content_filter` or `error`.
    public var finishReason: String
    /// Omitted from the body when nil.
    public var usage: Usage?

    public init(id: String, created: Int, model: String, content: String, finishReason: String, usage: Usage?) {
        self.id = id
        self.created = created
        self.model = model
        self.content = content
        self.finishReason = finishReason
        self.usage = usage
    }

    /// The response body, newline-terminated JSON.
    public func jsonBody() -> [UInt8] {
        var out = "{\"id\":" + JSONString.quote(id)
        out += ",\"object\":\"chat.completion\",\"created\":\(created),\"model\":" + JSONString.quote(model)
        out += ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
        out += JSONString.quote(content)
        out += "},\"finish_reason\":" + JSONString.quote(finishReason) + "}]"
        if let usage {
            out += ",\"usage\":" + usage.json
        }
        out += "}\n"
        return Array(out.utf8)
    }
}
