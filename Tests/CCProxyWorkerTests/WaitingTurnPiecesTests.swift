// The pure pieces of waiting turns: which result answers which call, and which requests are
// follow-ups.

import CCProxyClaude
import CCProxyCore
import CCProxyWire
import Foundation
import Testing

@testable import CCProxyWorker

@Suite("Waiting turns: FunctionCallBook and FollowUpDetector")
struct WaitingTurnPiecesTests {
    static let paris = ToolCall(id: "toolu_1", name: "get_weather", arguments: #"{"city":"Paris"}"#)
    static let bern = ToolCall(id: "toolu_2", name: "get_weather", arguments: #"{"city":"Bern"}"#)

    func ask(_ city: String) -> FunctionCallRequest {
        FunctionCallRequest(name: "get_weather", arguments: .object(["city": .string(city)]))
    }

    @Test("a call waits for the results, then gets the result of the offered call with its arguments")
    func matching() {
        var book = FunctionCallBook()
        book.offered([Self.paris, Self.bern])
        #expect(book.claim(ask("Bern")) == .notYet)
        book.answered([.init(callID: "toolu_1", text: "sunny"), .init(callID: "toolu_2", text: "rain")])
        #expect(book.claim(ask("Bern")) == .answer(FunctionCallAnswer(text: "rain", isError: false)))
        #expect(book.claim(ask("Paris")) == .answer(FunctionCallAnswer(text: "sunny", isError: false)))
    }

    @Test("a call the function server asks about before the worker read it waits too")
    func earlyQuestion() {
        var book = FunctionCallBook()
        #expect(book.claim(ask("Oslo")) == .notYet)
        book.offered([ToolCall(id: "toolu_9", name: "get_weather", arguments: #"{"city":"Oslo"}"#)])
        book.answered([.init(callID: "toolu_9", text: "snow")])
        #expect(book.claim(ask("Oslo")) == .answer(FunctionCallAnswer(text: "snow", isError: false)))
    }

    @Test("a call the client never got is told so once the results are in; each result answers once")
    func notOffered() {
        var book = FunctionCallBook()
        book.offered([Self.paris])
        book.answered([.init(callID: "toolu_1", text: "sunny")])
        guard case .answer(let answer) = book.claim(ask("Rome")) else {
            Issue.record("no answer")
            return
        }
        #expect(answer.isError && answer.text.contains("parallel_tool_calls"))
        #expect(book.claim(ask("Paris")) == .answer(FunctionCallAnswer(text: "sunny", isError: false)))
        if case .answer(let again) = book.claim(ask("Paris")) { #expect(again.isError) } else { Issue.record("no answer") }
    }

    func plan(stream: Bool = false) -> TurnPlan {
        TurnPlan(
            modelID: "sonnet", arguments: [], systemPrompt: nil, standardInput: [], resumeStandardInput: [],
            workspaceName: nil, verbosity: .textOnly, includeReasoning: false, stream: stream, includeUsage: stream,
            ignoredParameters: [])
    }

    func chat(_ messages: [ChatMessage]) -> ChatCompletionRequest {
        ChatCompletionRequest(model: "sonnet", messages: messages)
    }

    static let user = ChatMessage(role: .user, content: .text("weather?"))
    static let calls = ChatMessage(role: .assistant, content: .none, toolCalls: [paris, bern])

    @Test("a request ending with one result per call of the last assistant message is a follow-up")
    func followUp() throws {
        let request = chat([
            Self.user, Self.calls, ChatMessage(role: .tool, content: .text("rain"), toolCallID: "toolu_2"),
            ChatMessage(role: .tool, content: .text("sunny"), toolCallID: "toolu_1"),
        ])
        let followUp = try #require(FollowUpDetector.followUp(of: request, plan: plan(stream: true), requestID: "r1"))
        #expect(followUp.results == [.init(callID: "toolu_2", text: "rain"), .init(callID: "toolu_1", text: "sunny")])
        #expect(followUp.stream && followUp.includeUsage && followUp.model == "sonnet" && followUp.requestID == "r1")
    }

    @Test("missing, extra or duplicate results, or anything after them, make no follow-up")
    func notFollowUps() {
        let one = ChatMessage(role: .tool, content: .text("sunny"), toolCallID: "toolu_1")
        let two = ChatMessage(role: .tool, content: .text("rain"), toolCallID: "toolu_2")
        for messages in [
            [Self.user],
            [Self.user, Self.calls, one],
            [Self.user, Self.calls, one, one],
            [Self.user, Self.calls, one, two, ChatMessage(role: .user, content: .text("and?"))],
            [Self.user, Self.calls, one, two, ChatMessage(role: .tool, content: .text("x"), toolCallID: "toolu_3")],
        ] {
            #expect(FollowUpDetector.followUp(of: chat(messages), plan: plan(), requestID: "r") == nil, "\(messages.count)")
        }
    }
}
