// Runs in: the stdio MCP servers the worker's executable provides to claude inside a turn's
// sandbox (`ccproxy-worker mcp-functions`, `ccproxy-worker mcp-bridge-exec`).

import CCProxyClaude
public import CCProxyCore
import Foundation

/// The JSON-RPC 2.0 messages both of the worker's MCP servers send, and the request fields
/// they read. Each server decides what to answer; this only spells it.
enum MCPMessage {
    /// The protocol version answered when `initialize` names none.
    static let defaultProtocolVersion = "2025-06-18"

    /// What a line asks: its method and id (nil for a notification or a response), or nil
    /// when the line is no JSON-RPC request; `parseError` is the answer to garbage.
    struct Request {
        var method: String
        var id: JSONValue?
        var message: JSONValue

        /// The version `initialize` asked for, or the default.
        var requestedProtocolVersion: String {
            if case .string(let requested)? = message["params"]?["protocolVersion"] { return requested }
            return MCPMessage.defaultProtocolVersion
        }
    }

    enum Parsed {
        case request(Request)
        /// Not JSON: answer `parseError`.
        case garbage
        /// A response, or something else no server asked for: no answer.
        case ignored
    }

    static func parse(_ line: [UInt8]) -> Parsed {
        guard let message = try? JSONValue.parse(line) else { return .garbage }
        guard case .string(let method)? = message["method"] else { return .ignored }
        let id = message["id"].flatMap { $0 == .null ? nil : $0 }
        return .request(Request(method: method, id: id, message: message))
    }

    /// What a server does with a line: answer it at once (`reply`, nil for no answer: a
    /// notification, a response; the parse error for garbage; `initialize` and `ping`, which
    /// every server answers alike), or look at a request with an id itself.
    enum Incoming {
        case reply([UInt8]?)
        case request(Request, id: JSONValue)
    }

    static func incoming(_ line: [UInt8], serverName: String) -> Incoming {
        switch parse(line) {
        case .garbage: return .reply(parseError)
        case .ignored: return .reply(nil)
        case .request(let request):
            guard let id = request.id else { return .reply(nil) }
            switch request.method {
            case "initialize":
                return .reply(initialized(id: id, protocolVersion: request.requestedProtocolVersion, serverName: serverName))
            case "ping":
                return .reply(success(id: id, Empty()))
            default:
                return .request(request, id: id)
            }
        }
    }

    static func success(id: JSONValue, _ result: some Encodable) -> [UInt8] {
        ResponseEncoder().encode(Success(id: id, result: result))
    }

    static func failure(id: JSONValue, code: Int, _ message: String) -> [UInt8] {
        ResponseEncoder().encode(Failure(id: id, error: .init(code: code, message: message)))
    }

    static var parseError: [UInt8] { failure(id: .null, code: -32700, "parse error") }

    /// `initialize`'s result: tools only, the server's name.
    static func initialized(id: JSONValue, protocolVersion: String, serverName: String) -> [UInt8] {
        success(id: id, Initialized(protocolVersion: protocolVersion, serverInfo: .init(name: serverName)))
    }

    /// A `tools/call` result: one text block, and whether it reports an error.
    static func toolResult(id: JSONValue, text: String, isError: Bool) -> [UInt8] {
        success(id: id, ToolResult(content: [.init(text: text)], isError: isError))
    }

    /// `{}`, for `ping`.
    struct Empty: Encodable {}

    private struct ToolResult: Encodable {
        struct Content: Encodable {
            var type = "text"
            var text: String
        }
        var content: [Content]
        var isError: Bool
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
    private struct Initialized: Encodable {
        struct Capabilities: Encodable {
            struct Tools: Encodable { var listChanged = false }
            var tools = Tools()
        }
        struct Info: Encodable {
            var name: String
            var version = "1"
        }
        var protocolVersion: String
        var capabilities = Capabilities()
        var serverInfo: Info
    }
}

/// The stdio loop of the worker's MCP servers: newline-delimited JSON-RPC read from stdin,
/// each line answered (or not) by `reply`, answers written to stdout, until stdin ends.
/// Nothing else is ever written to stdout: it is the protocol channel.
enum MCPStdio {
    /// - Returns: false when a line was over `Limits.maxFunctionServerLineBytes` (the server
    ///   then stops: it cannot find the next line's start), true at the end of stdin.
    static func serve(name: String, reply: ([UInt8]) -> [UInt8]?) -> Bool {
        var splitter = LineSplitter(maxLineBytes: Limits.maxFunctionServerLineBytes)
        let input = FileHandle.standardInput
        let output = FileHandle.standardOutput
        while true {
            let chunk = input.availableData
            guard !chunk.isEmpty else { return true }
            let lines: [[UInt8]]
            do {
                lines = try splitter.append(chunk)
            } catch {
                FileHandle.standardError.write(Data("ccproxy-worker \(name): a line is too long\n".utf8))
                return false
            }
            for line in lines where !line.isEmpty {
                guard var answer = reply(line) else { continue }
                answer.append(UInt8(ascii: "\n"))
                output.write(Data(answer))
            }
        }
    }
}
