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
        let message: JSONValue
        do {
            message = try JSONValue.parse(line)
        } catch {
            return encode(Failure(id: .null, error: .init(code: -32700, message: "parse error")))
        }
        guard case .string(let method)? = message["method"] else {
            // A response or something else the server never asked for.
            return nil
        }
        guard let id = message["id"], id != .null else { return nil }
        switch method {
        case "initialize":
            let version: String
            if case .string(let requested)? = message["params"]?["protocolVersion"] {
                version = requested
            } else {
                version = Self.defaultProtocolVersion
            }
            return encode(Success(id: id, result: Initialized(protocolVersion: version)))
        case "tools/list":
            return encode(Success(id: id, result: functions))
        case "ping":
            return encode(Success(id: id, result: Empty()))
        case "tools/call":
            pendingCalls.append(id)
            return nil
        default:
            return encode(Failure(id: id, error: .init(code: -32601, message: "method not found: \(method)")))
        }
    }

    static let defaultProtocolVersion = "2025-06-18"
    static let serverName = "ccproxy-functions"

    private struct Success<Result: Encodable>: Encodable {
        var jsonrpc = "2.0"
        var id: JSONValue
        var result: Result
    }
    private struct Failure: Encodable {
        struct Body: Encodable {
            var code: Int
            var message: String
        }
        var jsonrpc = "2.0"
        var id: JSONValue
        var error: Body
    }
    private struct Empty: Encodable {}
    private struct Initialized: Encodable {
        struct Capabilities: Encodable {
            struct Tools: Encodable { var listChanged = false }
            var tools = Tools()
        }
        struct Info: Encodable {
            var name = FunctionServerSession.serverName
            var version = "1"
        }
        var protocolVersion: String
        var capabilities = Capabilities()
        var serverInfo = Info()
    }

    private func encode(_ value: some Encodable) -> [UInt8] {
        ResponseEncoder().encode(value)
    }
}
