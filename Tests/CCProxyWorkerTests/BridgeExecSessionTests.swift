// The exec tool's MCP server, message by message (pure), and how a daemon's answer reads.

import CCProxyBridgeProtocol
import Foundation
import Testing

@testable import CCProxyWorker

@Suite struct BridgeExecSessionTests {
    private func json(_ bytes: [UInt8]?) -> [String: Any]? {
        bytes.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
    }

    @Test func listsOneExecToolAndRunsCalls() {
        let session = BridgeExecSession()
        var ran: [String] = []
        let run: (String) -> BridgeExecSession.Outcome = { ran.append($0); return .init(text: "exit code 0", isError: false) }
        let initialized = json(session.reply(to: Array(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}"#.utf8), run: run))
        #expect((initialized?["result"] as? [String: Any])?["protocolVersion"] as? String == "2025-03-26")
        let list = json(session.reply(to: Array(#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#.utf8), run: run))
        let tools = (list?["result"] as? [String: Any])?["tools"] as? [[String: Any]]
        #expect(tools?.count == 1 && tools?.first?["name"] as? String == "exec")
        let call = json(session.reply(
            to: Array(#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"exec","arguments":{"command":"make test"}}}"#.utf8),
            run: run))
        #expect(ran == ["make test"])
        let result = call?["result"] as? [String: Any]
        #expect(result?["isError"] as? Bool == false)
        #expect(((result?["content"] as? [[String: Any]])?.first?["text"] as? String) == "exit code 0")
        #expect(session.reply(to: Array(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.utf8), run: run) == nil)
    }

    @Test func badCallsAreAnsweredWithoutRunningAnything() {
        let session = BridgeExecSession()
        let run: (String) -> BridgeExecSession.Outcome = { _ in
            Issue.record("nothing may run")
            return .init(text: "", isError: false)
        }
        let empty = json(session.reply(
            to: Array(#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"exec","arguments":{"command":""}}}"#.utf8), run: run))
        #expect((empty?["result"] as? [String: Any])?["isError"] as? Bool == true)
        let other = json(session.reply(
            to: Array(#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"rm","arguments":{}}}"#.utf8), run: run))
        #expect((other?["error"] as? [String: Any])?["code"] as? Int == -32602)
        let garbage = json(session.reply(to: Array("not json".utf8), run: run))
        #expect((garbage?["error"] as? [String: Any])?["code"] as? Int == -32700)
    }

    @Test func aDaemonsAnswerReadsAsExitCodeStdoutAndStderr() {
        let ok = BridgeCodec.response(id: 9, result: ExecResult(stdout: Data("42\n".utf8), stderr: Data(), exitCode: 0))
        #expect(BridgeExecServer.outcome(of: ok) == .init(text: "exit code 0\n--- stdout ---\n42\n\n--- stderr ---\n", isError: false))
        let slow = BridgeCodec.response(id: 9, result: ExecResult(stdout: Data(), stderr: Data("x".utf8), exitCode: -1, timedOut: true))
        #expect(BridgeExecServer.outcome(of: slow).isError)
        #expect(BridgeExecServer.outcome(of: slow).text.contains("timed out"))
        let refused = BridgeCodec.failure(id: 9, BridgeError(.permissionDenied, "exec disabled"))
        #expect(BridgeExecServer.outcome(of: refused) == .init(text: "the bridge refused the command: permission_denied: exec disabled", isError: true))
        #expect(BridgeExecServer.outcome(of: Data("{".utf8)).isError)
    }
}
