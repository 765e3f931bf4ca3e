// Runs in: the exec tool (`ccproxy-worker mcp-bridge-exec <socket>`), which claude starts
// inside its turn's sandbox as a stdio MCP server when the turn runs on a bridge whose
// daemon allows exec.

public import CCProxyCore
import Foundation

/// The MCP side of the bridge's exec tool, one JSON-RPC message at a time. Pure: a line in,
/// the reply out (or none); running a command is the caller's `run` function.
///
/// One tool, `exec` (claude sees `mcp__bridge__exec`): input `{"command": string}`, run by
/// `/bin/sh -c` on the laptop in the bridged directory; the answer is one text block with the
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
        let message: JSONValue
        do {
            message = try JSONValue.parse(line)
        } catch {
            return encode(Failure(id: .null, error: .init(code: -32700, message: "parse error")))
        }
        guard case .string(let method)? = message["method"], let id = message["id"], id != .null else { return nil }
        switch method {
        case "initialize":
            var version = "2025-06-18"
            if case .string(let requested)? = message["params"]?["protocolVersion"] { version = requested }
            return encode(Success(id: id, result: Initialized(protocolVersion: version)))
        case "tools/list":
            return encode(Success(id: id, result: ToolList()))
        case "ping":
            return encode(Success(id: id, result: Empty()))
        case "tools/call":
            guard case .string(Self.toolName)? = message["params"]?["name"] else {
                return encode(Failure(id: id, error: .init(code: -32602, message: "unknown tool")))
            }
            guard case .string(let command)? = message["params"]?["arguments"]?["command"], !command.isEmpty else {
                return encode(Success(id: id, result: CallResult(outcome: Outcome(text: "exec needs a non-empty \"command\" string", isError: true))))
            }
            return encode(Success(id: id, result: CallResult(outcome: run(command))))
        default:
            return encode(Failure(id: id, error: .init(code: -32601, message: "method not found: \(method)")))
        }
    }

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
            var name = BridgeExecSession.serverName
            var version = "1"
        }
        var protocolVersion: String
        var capabilities = Capabilities()
        var serverInfo = Info()
    }
    private struct ToolList: Encodable {
        struct Tool: Encodable {
            struct Schema: Encodable {
                struct Properties: Encodable {
                    struct Command: Encodable {
                        var type = "string"
                        var description = "The shell command line, run by /bin/sh -c in the bridged directory on the user's machine."
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
    private struct CallResult: Encodable {
        struct Content: Encodable {
            var type = "text"
            var text: String
        }
        var content: [Content]
        var isError: Bool

        init(outcome: Outcome) {
            content = [Content(text: outcome.text)]
            isError = outcome.isError
        }
    }

    private func encode(_ value: some Encodable) -> [UInt8] {
        ResponseEncoder().encode(value)
    }
}
