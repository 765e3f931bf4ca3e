// Runs in: the exec tool (`ccproxy-worker mcp-bridge-exec <socket>`), which claude starts
// inside its turn's sandbox as a stdio MCP server when the turn runs on a bridge whose
// daemon allows exec.

public import CCProxyCore
import Foundation

/// The MCP side of the bridge's exec tool, one JSON-RPC message at a time. Pure: a line in,
/// the reply out (or none); running a command is the caller's `run` function.
///
/// One tool, `exec` (claude sees `mcp__bridge__exec`): input `{"command": string}`, run by
/// the laptop user's shell in the bridged directory; the answer is one text block with the
/// exit code, stdout and stderr (each bounded by the daemon), `isError` when the command
/// failed or could not run.
public struct BridgeExecSession: Sendable {
    /// What running a command gave: the text claude sees, and whether it is an error.
    public struct Outcome: Sendable, Equatable {
        public var text: String
        public var isError: Bool

        public init(text: String, isError: Bool) {
            self.text = text
            self.isError = isError
        }
    }

    public static let serverName = "bridge"
    public static let toolName = "exec"

    public init() {}

    /// The reply to one line (without its newline), or nil when none is due.
    public func reply(to line: [UInt8], run: (String) -> Outcome) -> [UInt8]? {
        let (request, id): (MCPMessage.Request, JSONValue)
        switch MCPMessage.incoming(line, serverName: Self.serverName) {
        case .reply(let reply): return reply
        case .request(let parsed, let parsedID): (request, id) = (parsed, parsedID)
        }
        switch request.method {
        case "tools/list":
            return MCPMessage.success(id: id, ToolList())
        case "tools/call":
            guard case .string(Self.toolName)? = request.message["params"]?["name"] else {
                return MCPMessage.failure(id: id, code: -32602, "unknown tool")
            }
            guard case .string(let command)? = request.message["params"]?["arguments"]?["command"], !command.isEmpty else {
                return MCPMessage.toolResult(id: id, text: "exec needs a non-empty \"command\" string", isError: true)
            }
            let outcome = run(command)
            return MCPMessage.toolResult(id: id, text: outcome.text, isError: outcome.isError)
        default:
            return MCPMessage.failure(id: id, code: -32601, "method not found: \(request.method)")
        }
    }

    private struct ToolList: Encodable {
        struct Tool: Encodable {
            struct Schema: Encodable {
                struct Properties: Encodable {
                    struct Command: Encodable {
                        var type = "string"
                        var description = "The shell command line, run by the user's shell in the bridged directory on the user's machine."
                    }
                    var command = Command()
                }
                var type = "object"
                var properties = Properties()
                var required = ["command"]
            }
            var name = BridgeExecSession.toolName
            var description = """
                Run a shell command on the user's own machine, in the directory this session works in \
                (the bridged directory, as it is on that machine), and get its exit code, stdout and \
                stderr. Use it for what must run where the files really live: tests, builds, git, \
                the project's own tools. It times out after \(Int(Limits.bridgeExecTimeoutSeconds)) s.
                """
            var inputSchema = Schema()
        }
        var tools = [Tool()]
    }
}
