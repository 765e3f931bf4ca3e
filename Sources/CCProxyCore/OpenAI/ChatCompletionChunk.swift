/// One `chat.completion.chunk` of a streamed answer (one choice, index 0).
///
/// Built for every token delta, so serialisation is hand-written and allocation-light.
/// Shape: `{"id","object":"chat.completion.chunk","created","model","choices":[{"index":0,
/// "delta":{"role"?,"content"?},"finish_reason":null|"…"}],"usage"?}`; `usage` is written only
/// when set.
public struct ChatCompletionChunk: Sendable, Equatable {
    /// The delta of the one choice. Empty on a terminal chunk (`"delta":{}`).
    public struct Delta: Sendable, Equatable {
        /// `"assistant"` on the first chunk of a completion, nil afterwards.
        public var role: String?
        /// The text added by this chunk.
        public var content: String?

        public init(role: String? = nil, content: String? = nil) {
            self.role = role
            self.content = content
        }
    }

    public var id: String
    /// Unix seconds; the same for every chunk of one completion.
    public var created: Int
    /// The model id as the client should see it (the alias or passthrough id).
    public var model: String
    public var delta: Delta
    /// nil until the terminal chunk: `stop`, `length`, `content_filter` or `error`.
    public var finishReason: String?
    public var usage: Usage?

    public init(
        id: String,
        created: Int,
        model: String,
        delta: Delta = Delta(),
        finishReason: String? = nil,
        usage: Usage? = nil
    ) {
        self.id = id
        self.created = created
        self.model = model
        self.delta = delta
        self.finishReason = finishReason
        self.usage = usage
    }

    /// The chunk as one JSON object (no trailing newline).
    public var json: String {
        var out = "{\"id\":"
        out.reserveCapacity(160 + (delta.content?.utf8.count ?? 0) + model.utf8.count)
        out += JSONString.quote(id)
        out += ",\"object\":\"chat.completion.chunk\",\"created\":\(created),\"model\":"
        out += JSONString.quote(model)
        out += ",\"choices\":[{\"index\":0,\"delta\":{"
        if let role = delta.role {
            out += "\"role\":" + JSONString.quote(role)
            if delta.content != nil { out += "," }
        }
        if let content = delta.content {
            out += "\"content\":" + JSONString.quote(content)
        }
        out += "},\"finish_reason\":"
        out += finishReason.map(JSONString.quote) ?? "null"
        out += "}]"
        if let usage {
            out += ",\"usage\":" + usage.json
        }
        out += "}"
        return out
    }

    /// The chunk as one server-sent event: `data: {json}\n\n`.
    public func sseFrame() -> [UInt8] {
        SSE.frame(json: json)
    }
}
