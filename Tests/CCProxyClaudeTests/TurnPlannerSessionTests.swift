import CCProxyClaude
import CCProxyCore
import Testing

/// The session name a turn asks for, and how a turn uses claude's session storage.
@Suite("TurnPlanner sessions")
struct TurnPlannerSessionTests {
    typealias S = PlannerSupport

    @Test("no session anywhere: a stateless turn")
    func stateless() throws {
        #expect(try S.plan(S.request()).sessionName == nil)
    }

    @Test("the header wins over the body's session_id and the model suffix; values are trimmed")
    func precedence() throws {
        var request = S.request()
        request.sessionID = " from-body "
        #expect(try S.plan(request).sessionName == "from-body")
        #expect(try S.plan(request, headers: TurnHeaders(session: "  from-header\t")).sessionName == "from-header")
        #expect(try S.plan(request, headers: TurnHeaders(session: "   ")).sessionName == "from-body", "a blank header is absent")
        request.sessionID = "   "
        #expect(try S.plan(request).sessionName == nil)
    }

    @Test("the model suffix names the session and is stripped from the model")
    func modelSuffix() throws {
        let request = try ChatCompletionRequest.decode(
            Array(#"{"model":"plain:session=abc-1","messages":[{"role":"user","content":"hi"}]}"#.utf8))
        let plan = try S.plan(request)
        #expect(plan.modelID == "plain")
        #expect(plan.sessionName == "abc-1")
    }

    @Test("over-long or control-character session ids are a 400 naming the parameter")
    func invalid() throws {
        var request = S.request()
        request.sessionID = String(repeating: "x", count: Limits.maxSessionNameBytes + 1)
        #expect(throws: APIError.self) { try S.plan(request) }
        do {
            _ = try S.plan(request)
        } catch {
            #expect(error.status == 400)
            #expect(error.code == "invalid_session_id")
            #expect(error.param == "session_id")
        }
        #expect(throws: APIError.self) { try S.plan(S.request(), headers: TurnHeaders(session: "a\u{1}b")) }
        request.sessionID = String(repeating: "x", count: Limits.maxSessionNameBytes)
        #expect(try S.plan(request).sessionName?.utf8.count == Limits.maxSessionNameBytes)
    }

    @Test("session modes: flags, stdin, and the retry of a refused flag")
    func modes() throws {
        let plan = try S.plan(
            S.request([
                .init(role: .user, content: .text("first")), .init(role: .assistant, content: .text("answer")),
                .init(role: .user, content: .text("second")),
            ]))
        #expect(ClaudeSessionMode.stateless.arguments == ["--no-session-persistence"])
        #expect(ClaudeSessionMode.start(claudeSessionID: "u").arguments == ["--session-id", "u"])
        #expect(ClaudeSessionMode.resume(claudeSessionID: "u").arguments == ["--resume", "u"])
        #expect(ClaudeSessionMode.start(claudeSessionID: "u").standardInput(plan) == plan.standardInput)
        #expect(ClaudeSessionMode.resume(claudeSessionID: "u").standardInput(plan) == plan.resumeStandardInput)
        #expect(plan.standardInput != plan.resumeStandardInput, "a resumed turn gets the new message only")
        #expect(ClaudeSessionMode.stateless.retry == nil)
        #expect(ClaudeSessionMode.start(claudeSessionID: "u").retry == .resume(claudeSessionID: "u"))
        #expect(ClaudeSessionMode.resume(claudeSessionID: "u").retry == .start(claudeSessionID: "u"))
    }

    @Test("claude's refusals of a session flag are recognised, and nothing else is")
    func mismatches() {
        let missing = ClaudeResult(
            isError: true, subtype: "error_during_execution", errors: ["No conversation found with session ID: 8cc6be02-81d8-46b2-add5-ecd2e2590cd9"])
        let apiError = ClaudeResult(isError: true, resultText: "API Error: 500")
        let resume = ClaudeSessionMode.resume(claudeSessionID: "u")
        let start = ClaudeSessionMode.start(claudeSessionID: "u")
        #expect(SessionMismatch.detect(mode: resume, result: missing, stderr: "") == .missing)
        #expect(SessionMismatch.detect(mode: resume, result: apiError, stderr: "") == nil)
        #expect(SessionMismatch.detect(mode: .stateless, result: missing, stderr: "") == nil)
        #expect(SessionMismatch.detect(mode: start, result: nil, stderr: "Error: Session ID u is already in use.\n") == .alreadyInUse)
        #expect(SessionMismatch.detect(mode: start, result: nil, stderr: "segfault") == nil)
        #expect(SessionMismatch.detect(mode: start, result: apiError, stderr: "is already in use") == nil)
    }
}
