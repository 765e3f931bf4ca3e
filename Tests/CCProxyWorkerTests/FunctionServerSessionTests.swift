// The function server's JSON-RPC, one line at a time (pure: no process).

import CCProxyCore
import Foundation
import Testing

@testable import CCProxyWorker

@Suite("FunctionServerSession")
struct FunctionServerSessionTests {
    private static let functions = FunctionsFile(functions: [
        FunctionTool(
            name: "get_weather", description: "Weather",
            parameters: .object(["type": .string("object"), "properties": .object(["city": .object(["type": .string("string")])])])),
    ])

    private func reply(_ session: inout FunctionServerSession, _ line: String) -> JSONValue? {
        guard let bytes = session.reply(to: Array(line.utf8)) else { return nil }
        return try? JSONValue.parse(bytes)
    }

    @Test("initialize echoes the protocol version and offers tools")
    func initialize() {
        var session = FunctionServerSession(functions: Self.functions)
        let answer = reply(&session, #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}"#)
        #expect(answer?["id"] == .number(0))
        #expect(answer?["result"]?["protocolVersion"] == .string("2025-03-26"))
        #expect(answer?["result"]?["capabilities"]?["tools"] != nil)
    }

    @Test("tools/list gives the functions with their schemas")
    func list() {
        var session = FunctionServerSession(functions: Self.functions)
        let answer = reply(&session, #"{"jsonrpc":"2.0","id":"a","method":"tools/list"}"#)
        #expect(answer?["id"] == .string("a"))
        guard case .array(let tools)? = answer?["result"]?["tools"] else {
            Issue.record("no tools in \(String(describing: answer))")
            return
        }
        #expect(tools.count == 1)
        #expect(tools.first?["name"] == .string("get_weather"))
        #expect(tools.first?["description"] == .string("Weather"))
        #expect(tools.first?["inputSchema"]?["properties"]?["city"]?["type"] == .string("string"))
    }

    @Test("tools/call without a way to ask the worker is not answered; it is remembered")
    func call() {
        var session = FunctionServerSession(functions: Self.functions)
        #expect(session.reply(to: Array(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_weather","arguments":{}}}"#.utf8)) == nil)
        #expect(session.pendingCalls == [.number(7)])
    }

    @Test("tools/call is answered with the client's result, as one text block, with the id it came with")
    func answeredCall() throws {
        var session = FunctionServerSession(functions: Self.functions)
        var asked: [FunctionCallRequest] = []
        let line = #"{"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"get_weather","arguments":{"city":"Oslo"}}}"#
        let bytes = try #require(session.reply(to: Array(line.utf8)) { call in
            asked.append(call)
            return FunctionCallAnswer(text: "snow", isError: false)
        })
        let answer = try JSONValue.parse(bytes)
        #expect(asked == [FunctionCallRequest(name: "get_weather", arguments: .object(["city": .string("Oslo")]))])
        #expect(answer["id"] == .string("c1"))
        #expect(answer["result"]?["content"] == .array([.object(["type": .string("text"), "text": .string("snow")])]))
        #expect(answer["result"]?["isError"] == .bool(false))
        #expect(session.pendingCalls.isEmpty)
        // A tool it does not serve is a JSON-RPC error, never a question to the worker.
        let unknown = #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nope","arguments":{}}}"#
        let refused = try JSONValue.parse(try #require(session.reply(to: Array(unknown.utf8)) { _ in
            Issue.record("asked about an unknown tool")
            return nil
        }))
        #expect(refused["error"]?["code"] == .number(-32602))
    }

    @Test("notifications get nothing, unknown methods -32601, garbage -32700")
    func others() {
        var session = FunctionServerSession(functions: Self.functions)
        #expect(session.reply(to: Array(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.utf8)) == nil)
        #expect(reply(&session, #"{"jsonrpc":"2.0","id":3,"method":"resources/list"}"#)?["error"]?["code"] == .number(-32601))
        #expect(reply(&session, "not json")?["error"]?["code"] == .number(-32700))
        #expect(reply(&session, #"{"jsonrpc":"2.0","id":4,"method":"ping"}"#)?["result"] == .object([:]))
    }

    @Test("the functions file round-trips")
    func file() throws {
        let decoded = try FunctionsFile.decode(try Self.functions.encoded())
        #expect(decoded == Self.functions)
    }
}
