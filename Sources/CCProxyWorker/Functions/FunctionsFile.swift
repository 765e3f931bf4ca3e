// Runs in: a worker (`ccproxy-worker`), which writes it, and the function server
// (`ccproxy-worker mcp-functions`), which reads it.

public import CCProxyCore
import Foundation

/// The private per-turn file that lists the client's functions for the function server: the
/// MCP `tools/list` answer, as the worker decided it from the request.
///
/// `{"tools":[{"name","description"?,"inputSchema"}]}`; written 0600 in the turn's directory and
/// bound read-only into the sandbox, like the system prompt file.
public struct FunctionsFile: Sendable, Equatable, Codable {
    public struct Tool: Sendable, Equatable, Codable {
        public var name: String
        public var description: String?
        public var inputSchema: JSONValue
    }

    public var tools: [Tool]

    public init(functions: [FunctionTool]) {
        tools = functions.map { Tool(name: $0.name, description: $0.description, inputSchema: $0.parameters) }
    }

    /// The file's bytes (sorted keys: the same functions always give the same file).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> FunctionsFile {
        try JSONDecoder().decode(FunctionsFile.self, from: data)
    }
}
