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
/// - `tools/call` → the caller's `answer` for the function and its arguments: the worker
///   has seen the call in claude's output and answered the client with `tool_calls`; the
///   answer is the client's result once its follow-up arrives (`FunctionCallDesk`). Without
///   a way to ask (`answer` returns nil), no reply: claude waits until the turn stops it.
/// - notifications (no `id`) → no reply; any other method → JSON-RPC error -32601;
///   a line that is not a JSON-RPC request → error -32700 with a null id.
public struct FunctionServerSession: Sendable {
    public let functions: FunctionsFile
    /// The ids of `tools/call` requests left unanswered (no worker to ask), in arrival order.
    public private(set) var pendingCalls: [JSONValue] = []

    public init(functions: FunctionsFile) {
        self.functions = functions
    }

    /// The reply to one line, as one line of JSON (without its newline), or nil when none is due.
    public mutating func reply(to line: [UInt8], answer: (FunctionCallRequest) -> FunctionCallAnswer? = { _ in nil }) -> [UInt8]? {
        let (request, id): (MCPMessage.Request, JSONValue)
        switch MCPMessage.incoming(line, serverName: Self.serverName) {
        case .reply(let reply): return reply
        case .request(let parsed, let parsedID): (request, id) = (parsed, parsedID)
        }
        switch request.method {
        case "tools/list":
            return MCPMessage.success(id: id, functions)
        case "tools/call":
            guard case .string(let name)? = request.message["params"]?["name"],
                functions.tools.contains(where: { $0.name == name })
            else {
                return MCPMessage.failure(id: id, code: -32602, "unknown tool")
            }
            let arguments = request.message["params"]?["arguments"] ?? .object([:])
            guard let answered = answer(FunctionCallRequest(name: name, arguments: arguments)) else {
                pendingCalls.append(id)
                return nil
            }
            return MCPMessage.toolResult(id: id, text: answered.text, isError: answered.isError)
        default:
            return MCPMessage.failure(id: id, code: -32601, "method not found: \(request.method)")
        }
    }

    static let defaultProtocolVersion = MCPMessage.defaultProtocolVersion
    static let serverName = "ccproxy-functions"
}
