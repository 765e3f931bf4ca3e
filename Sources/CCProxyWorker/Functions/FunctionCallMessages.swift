// Runs in: the function server (`ccproxy-worker mcp-functions`), which sends them, and the
// worker, which answers them on its per-turn function-call socket.

public import CCProxyCore

/// One call of a client function, as the function server got it from claude (`tools/call`):
/// one `ChannelFrame` of this JSON per connection to the turn's function-call socket.
public struct FunctionCallRequest: Codable, Sendable, Equatable {
    public var name: String
    public var arguments: JSONValue

    public init(name: String, arguments: JSONValue) {
        self.name = name
        self.arguments = arguments
    }
}

/// The client's result for a call (or why there is none), as claude gets it: one
/// `ChannelFrame` of this JSON back on the same connection.
public struct FunctionCallAnswer: Codable, Sendable, Equatable {
    public var text: String
    public var isError: Bool

    public init(text: String, isError: Bool) {
        self.text = text
        self.isError = isError
    }
}
