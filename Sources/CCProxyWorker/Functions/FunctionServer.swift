// Runs in: the function server (`ccproxy-worker mcp-functions <file>`), which claude starts
// inside its turn's sandbox as a stdio MCP server.

import CCProxyBridgeProtocol
import CCProxyClaude
import CCProxyCore
import CCProxyPosix
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

    /// Serves the functions in `path` until stdin ends; a call is answered through the
    /// worker's function-call `socket` (it waits there for the client's follow-up), or not at
    /// all without one.
    public static func run(file path: String, socket: String? = nil) -> Exit {
        let functions: FunctionsFile
        do {
            functions = try FunctionsFile.decode(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            FileHandle.standardError.write(Data("ccproxy-worker mcp-functions: cannot read \(path): \(error)\n".utf8))
            return .unreadableFile
        }
        var session = FunctionServerSession(functions: functions)
        return MCPStdio.serve(name: "mcp-functions") { line in
            session.reply(to: line) { call in socket.map { ask(call, socket: $0) } }
        } ? .finished : .badInput
    }

    /// One call through the worker's socket: the client's result, or why there is none.
    static func ask(_ call: FunctionCallRequest, socket path: String) -> FunctionCallAnswer {
        do {
            let fd = try UnixStreamSocket.connect(path: path)
            defer { closeDescriptor(fd) }
            try UnixStreamSocket.sendAll(fd, try ChannelFrame.encode(try JSONEncoder().encode(call)))
            var decoder = ChannelFrameDecoder()
            while true {
                let bytes = try UnixStreamSocket.receive(fd, maxBytes: 64 * 1024)
                guard !bytes.isEmpty else { throw PosixError("recv", errno: ECONNRESET) }
                guard decoder.pendingBytes + bytes.count <= Limits.maxFunctionResultFrameBytes + ChannelFrame.headerBytes else {
                    throw PosixError("recv", errno: EMSGSIZE)
                }
                if let frame = try decoder.feed(bytes).first { return try JSONDecoder().decode(FunctionCallAnswer.self, from: frame) }
            }
        } catch {
            return FunctionCallAnswer(text: "the client's result for this call could not be had: \(error)", isError: true)
        }
    }
}
