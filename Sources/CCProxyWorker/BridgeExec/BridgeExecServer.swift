// Runs in: the exec tool (`ccproxy-worker mcp-bridge-exec <socket>`), which claude starts
// inside its turn's sandbox as a stdio MCP server.

import CCProxyBridgeProtocol
import CCProxyClaude
import CCProxyCore
import CCProxyPosix
import Foundation

/// The exec tool's process: newline-delimited JSON-RPC on stdin and stdout
/// (`BridgeExecSession` decides); each call is one connection to the bridge worker's exec
/// socket, which relays it to the daemon. Nothing else is written to stdout.
public enum BridgeExecServer {
    public enum Exit: Int32, Sendable {
        case finished = 0
        case badInput = 3
    }

    public static func run(socket path: String) -> Exit {
        let session = BridgeExecSession()
        let served = MCPStdio.serve(name: "mcp-bridge-exec") { line in
            session.reply(to: line, run: { execute($0, socket: path) })
        }
        return served ? .finished : .badInput
    }

    /// One command through the bridge worker: its answer as claude sees it.
    static func execute(_ command: String, socket path: String) -> BridgeExecSession.Outcome {
        let frame: Data
        do {
            frame = try exchange(command, socket: path)
        } catch {
            return .init(text: "the bridge could not run the command: \(error)", isError: true)
        }
        return outcome(of: frame)
    }

    /// The text of a daemon's answer (pure).
    static func outcome(of frame: Data) -> BridgeExecSession.Outcome {
        do {
            switch try BridgeCodec.head(of: frame) {
            case .response(_, let error?):
                return .init(text: "the bridge refused the command: \(error.code.rawValue): \(error.message)", isError: true)
            case .response(_, nil):
                let result = try BridgeCodec.result(ExecResult.self, of: frame)
                var text = "exit code \(result.exitCode)"
                if result.timedOut { text += " (timed out after \(Int(Limits.bridgeExecTimeoutSeconds)) s)" }
                if result.truncated { text += " (output truncated)" }
                text += "\n--- stdout ---\n" + String(decoding: result.stdout, as: UTF8.self)
                text += "\n--- stderr ---\n" + String(decoding: result.stderr, as: UTF8.self)
                return .init(text: text, isError: result.exitCode != 0 || result.timedOut)
            default:
                return .init(text: "the bridge answered something else than a result", isError: true)
            }
        } catch {
            return .init(text: "the bridge's answer is malformed: \(error)", isError: true)
        }
    }

    private static func exchange(_ command: String, socket path: String) throws -> Data {
        let fd = try UnixStreamSocket.connect(path: path)
        defer { closeDescriptor(fd) }
        // The daemon's own timeout, and a margin for the round trip.
        try UnixStreamSocket.setReceiveTimeout(fd, seconds: Limits.bridgeExecTimeoutSeconds + 30)
        let request = try JSONEncoder().encode(ExecToolRequest(command: command))
        try UnixStreamSocket.sendAll(fd, try ChannelFrame.encode(request))
        var decoder = ChannelFrameDecoder()
        while true {
            let bytes = try UnixStreamSocket.receive(fd, maxBytes: 64 * 1024)
            guard !bytes.isEmpty else { throw PosixError("recv", errno: ECONNRESET) }
            if let frame = try decoder.feed(bytes).first { return frame }
        }
    }
}
