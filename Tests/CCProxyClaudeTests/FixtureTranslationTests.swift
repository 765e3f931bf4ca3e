import CCProxyClaude
import CCProxyCore
import Foundation
import Testing

@Suite("Recorded claude output → chunks")
struct FixtureTranslationTests {
    @Test("every fixture decodes line by line, nothing unparseable, one result at most")
    func everyFixtureDecodes() throws {
        let files = try FixtureSupport.allNDJSONFiles()
        #expect(files.count >= 10)
        for file in files {
            let events = try FixtureSupport.events(file)
            #expect(!events.isEmpty, "\(file)")
            for event in events {
                if case .unparseable(let reason) = event { Issue.record("\(file): unparseable (\(reason))") }
            }
            let results = events.filter { if case .result = $0 { true } else { false } }
            #expect(results.count == 1, "\(file)")
            // Every chunk of every fixture serialises to valid JSON.
            let run = FixtureSupport.translate(events)
            for chunk in run.chunks + [run.terminal] {
                _ = try FixtureSupport.jsonObject(Array(chunk.json.utf8))
            }
        }
    }

    @Test("text.ndjson → one chunk \"pong\" with the role, then stop with usage")
    func text() throws {
        let run = try FixtureSupport.translate(fixture: "text.ndjson")
        #expect(run.chunks.count == 1)
        #expect(run.chunks.first?.delta == .init(role: "assistant", content: "pong"))
        #expect(run.terminal.delta == .init())
        #expect(run.terminal.finishReason == "stop")
        #expect(run.terminal.usage == Usage(promptTokens: 10, completionTokens: 5, totalTokens: 15))
        #expect(run.translator.sessionID == "26ef9174-ed63-4bcc-81f5-0d8d660f3b05")
        #expect(run.translator.upstreamError == nil)
        #expect(run.translator.result?.resultText == "pong")
    }

    @Test("without partial messages the assistant line supplies the text")
    func textWithoutPartials() throws {
        let run = try FixtureSupport.translate(fixture: "text-no-partials.ndjson")
        #expect(run.chunks.map(\.delta) == [.init(role: "assistant", content: "pong")])
        #expect(run.terminal.finishReason == "stop")
    }

    @Test("slow-stream.ndjson → 20 token deltas, role only on the first, no duplicate")
    func slowStream() throws {
        let run = try FixtureSupport.translate(fixture: "slow-stream.ndjson")
        #expect(run.chunks.count == 20)
        #expect(run.chunks.first?.delta.role == "assistant")
        #expect(run.chunks.dropFirst().allSatisfy { $0.delta.role == nil })
        #expect(run.chunks.first?.delta.content == "w0 ")
        #expect(run.text == (0..<20).map { "w\($0) " }.joined())
        #expect(run.terminal.finishReason == "stop")
        #expect(run.terminal.delta.role == nil)
    }

    @Test("bash-tool.ndjson → only the final text, no tool noise, no duplicate")
    func bashTool() throws {
        let run = try FixtureSupport.translate(fixture: "bash-tool.ndjson")
        #expect(run.text == "tool said: hello-tool")
        #expect(run.chunks.count == 1)
        #expect(!run.text.contains("echo"))
        #expect(run.terminal.finishReason == "stop")
        #expect(run.terminal.usage?.promptTokens == 20)
        #expect(run.terminal.usage?.completionTokens == 10)
    }

    @Test("write-tool.ndjson → text only")
    func writeTool() throws {
        let run = try FixtureSupport.translate(fixture: "write-tool.ndjson")
        // The stand-in model quotes the tool result in its answer; nothing else of the tool shows.
        #expect(run.chunks.count == 1)
        #expect(run.text.hasPrefix("tool said: File created successfully"))
        #expect(!run.text.contains("file_path"))
        #expect(!run.text.contains("written by the CLI"))
        #expect(run.text == run.translator.result?.resultText)
    }

    @Test("thinking.ndjson → the answer without the thinking")
    func thinking() throws {
        let run = try FixtureSupport.translate(fixture: "thinking.ndjson")
        #expect(run.text == "pong")
        #expect(!run.text.contains("think"))
    }

    @Test("api-error-400.ndjson → no content, upstream error, finish_reason error")
    func apiError() throws {
        let run = try FixtureSupport.translate(fixture: "api-error-400.ndjson", exitDescription: "exit status 1")
        #expect(run.chunks.isEmpty)
        #expect(run.terminal.finishReason == "error")
        #expect(run.terminal.delta.role == "assistant")
        let error = try #require(run.translator.upstreamError)
        #expect(error.status == 502)
        #expect(error.type == "upstream_error")
        #expect(error.message == "API Error: 400 mock rejects this prompt")
        #expect(run.translator.result?.apiErrorStatus == 400)
        #expect(run.translator.result?.isError == true)
    }

    @Test("no-such-session.ndjson → upstream error from the result's errors")
    func unknownSession() throws {
        let run = try FixtureSupport.translate(fixture: "no-such-session.ndjson", exitDescription: "exit status 1")
        #expect(run.terminal.finishReason == "error")
        let error = try #require(run.translator.upstreamError)
        #expect(error.message.contains("No conversation found with session ID"))
        #expect(run.translator.result?.subtype == "error_during_execution")
        #expect(run.translator.sessionID == "99999999-2222-4333-8444-555555555555")
    }

    @Test("session fixtures carry the given session id")
    func sessions() throws {
        for file in ["session-first.ndjson", "session-resume.ndjson"] {
            let run = try FixtureSupport.translate(fixture: file)
            #expect(run.translator.sessionID == "11111111-2222-4333-8444-555555555555")
            #expect(run.terminal.finishReason == "stop")
            #expect(run.text == run.translator.result?.resultText)
        }
    }

    @Test(
        "streaming and non-streaming say the same thing",
        arguments: [
            "text.ndjson", "slow-stream.ndjson", "bash-tool.ndjson", "thinking.ndjson", "write-tool.ndjson",
        ]
    )
    func aggregation(file: String) throws {
        let run = try FixtureSupport.translate(fixture: file)
        var aggregator = CompletionAggregator(completionID: "chatcmpl-test", model: "m", created: 1)
        for chunk in run.chunks + [run.terminal] { aggregator.add(chunk) }
        let completion = aggregator.completion()
        #expect(completion.content == run.text)
        #expect(completion.finishReason == "stop")
        #expect(completion.usage == run.terminal.usage)
    }
}
