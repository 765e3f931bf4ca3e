// Runs in: the function server (`ccproxy-worker mcp-functions <file>`), which claude starts
// inside its turn's sandbox as a stdio MCP server.

import CCProxyClaude
import CCProxyCore
import Foundation

/// The function server's process: reads newline-delimited JSON-RPC from stdin, answers on
/// stdout (`FunctionServerSession` decides), until stdin ends (claude exited or closed it).
/// Nothing else is ever written to stdout: it is the protocol channel.
public enum FunctionServer {
    /// How the server ended, as its exit status.
    public enum Exit: Int32, Sendable {
        case finished = 0
        case unreadableFile = 2
        case badInput = 3
    }

    /// Serves the functions in `path` until stdin ends.
    public static func run(file path: String) -> Exit {
        let functions: FunctionsFile
        do {
            functions = try FunctionsFile.decode(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            FileHandle.standardError.write(Data("ccproxy-worker mcp-functions: cannot read \(path): \(error)\n".utf8))
            return .unreadableFile
        }
        var session = FunctionServerSession(functions: functions)
        return MCPStdio.serve(name: "mcp-functions") { session.reply(to: $0) } ? .finished : .badInput
    }
}
