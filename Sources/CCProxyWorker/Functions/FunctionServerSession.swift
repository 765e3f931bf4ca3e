// Runs in: the function server (`ccproxy-worker mcp-functions <file>`), which claude starts
// inside its turn's sandbox as a stdio MCP server.

public import CCProxyCore
import Foundation

/// The MCP side of the client's functions, one JSON-RPC message at a time. Pure: a line in,
/// the reply out (or none); the process around it only moves bytes.
///
/// - `initialize` → the server's capabilities (tools only), echoing the client's protocol
///   version (the server has nothing version-dependent to offer);
/// - `tools/list` → the functions of the file, all on one page;
/// - `ping` → `{}`;
/// - `tools/call` → no reply, on purpose: the call is the client's to run. The worker sees it
///   in claude's output and ends the turn with `tool_calls`; claude is stopped before it
///   waits long. (Answering a waiting call with the client's result, so that the same claude
///   continues, is the next step; it will answer here, with the id it was given.)
/// - notifications (no `id`) → no reply; any other method → JSON-RPC error -32601;
///   a line that is not a JSON-RPC request → error -32700 with a null id.
public struct FunctionServerSession: Sendable {
    public let functions: FunctionsFile
    /// The ids of `tools/call` requests not answered yet, in arrival order (the seam for the
    /// continuation).
    public private(set) var pendingCalls: [JSONValue] = []

    public init(functions: FunctionsFile) {
        self.functions = functions
    }

    /// The reply to one line, as one line of JSON (without its newline), or nil when none is due.
    public mutating func reply(to line: [UInt8]) -> [UInt8]? {
        let (request, id): (MCPMessage.Request, JSONValue)
        switch MCPMessage.incoming(line, serverName: Self.serverName) {
        case .reply(let reply): return reply
        case .request(let parsed, let parsedID): (request, id) = (parsed, parsedID)
        }
        switch request.method {
        case "tools/list":
            return MCPMessage.success(id: id, functions)
        case "tools/call":
            pendingCalls.append(id)
            return nil
        default:
            return MCPMessage.failure(id: id, code: -32601, "method not found: \(request.method)")
        }
    }

    static let defaultProtocolVersion = MCPMessage.defaultProtocolVersion
    static let serverName = "ccproxy-functions"
}
