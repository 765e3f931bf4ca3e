// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import Foundation

/// The `--mcp-config` document that gives claude the function server of one turn:
/// `{"mcpServers":{"ccproxy":{"type":"stdio","command":<this executable>,
/// "args":["mcp-functions",<functions file>],"alwaysLoad":true}}}`.
///
/// `alwaysLoad` is the CLI's per-server switch that keeps a server's tools in the model's tool
/// list from the first request instead of deferring them behind ToolSearch: the client's
/// functions must be callable at once (a model that has to search first may never find
/// them), while the operator's own MCP servers, in their own file, keep the CLI's default.
struct ClientMCPConfig: Encodable {
    struct Server: Encodable {
        var type = "stdio"
        var command: String
        var args: [String]
        var alwaysLoad = true
    }

    var mcpServers: [String: Server]

    init(executable: String, functionsFile: String, socket: String? = nil) {
        mcpServers = [
            ClientFunctions.serverName: Server(command: executable, args: ["mcp-functions", functionsFile] + (socket.map { [$0] } ?? []))
        ]
    }

    /// The exec tool of a turn on a bridge whose daemon allows exec: the server `bridge`
    /// (claude sees `mcp__bridge__exec`), talking to the bridge worker's `socket`.
    init(executable: String, bridgeExecSocket socket: String) {
        mcpServers = [BridgeExecSession.serverName: Server(command: executable, args: ["mcp-bridge-exec", socket])]
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// This executable's path, which claude runs (inside the sandbox, where `/` is the host's,
    /// read-only) as the function server: the kernel's `/proc/self/exe`, else `argv[0]`.
    static let executable: String = {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return CommandLine.arguments.first ?? "ccproxy-worker"
    }()
}
