import CCProxyClaude
import CCProxyCore
import Testing

/// Every verbosity over recorded claude output, compared with the exact text a client gets.
@Suite("TurnRenderer over recorded claude output")
struct TurnRendererFixtureTests {
    private static let bashToolUse =
        "\n\n🔧 **Bash**\n```json\n{\n  \"command\": \"echo hello-tool\",\n  \"description\": \"run it\"\n}\n```\n"
    private static let writeResult =
        "File created successfully at: /srv/ccproxy/workspace/fixture-file.txt (file state is current in your context — no need to Read it back)"

    @Test("text-only: only the assistant's text, whatever the reasoning flag", arguments: [false, true])
    func textOnly(includeReasoning: Bool) throws {
        let expectations = [
            ("bash-tool.ndjson", "tool said: hello-tool"),
            ("write-tool.ndjson", "tool said: " + Self.writeResult),
            ("thinking.ndjson", "pong"),
            ("text.ndjson", "pong"),
            ("text-no-partials.ndjson", "pong"),
            ("api-error-400.ndjson", ""),
            ("no-such-session.ndjson", ""),
        ]
        for (file, expected) in expectations {
            let rendering = try FixtureSupport.render(fixture: file, .textOnly, includeReasoning: includeReasoning)
            #expect(rendering.content == expected, "\(file)")
        }
    }

    @Test("verbose bash-tool: the call as fenced JSON, the result block, then the text")
    func verboseBash() throws {
        let rendering = try FixtureSupport.render(fixture: "bash-tool.ndjson", .verbose)
        #expect(
            rendering.deltas == [
                .content(Self.bashToolUse),
                .content("\n↳ **result**\n````\nhello-tool\n````\n"),
                .content("tool said: hello-tool"),
            ])
        #expect(rendering.reasoning == "")
    }

    @Test("verbose write-tool: keys sorted (content before file_path)")
    func verboseWrite() throws {
        let rendering = try FixtureSupport.render(fixture: "write-tool.ndjson", .verbose)
        #expect(
            rendering.content
                == "\n\n🔧 **Write**\n```json\n{\n  \"content\": \"written by the CLI\",\n"
                + "  \"file_path\": \"/srv/ccproxy/workspace/fixture-file.txt\"\n}\n```\n"
                + "\n↳ **result**\n````\n\(Self.writeResult)\n````\n"
                + "tool said: \(Self.writeResult)")
    }

    @Test("narrated: one line per call and per result")
    func narrated() throws {
        let bash = try FixtureSupport.render(fixture: "bash-tool.ndjson", .narrated)
        #expect(
            bash.deltas == [
                .content("\n🔧 Bash(command=\"echo hello-tool\", description=\"run it\")\n"),
                .content("↳ hello-tool\n"),
                .content("tool said: hello-tool"),
            ])
        let write = try FixtureSupport.render(fixture: "write-tool.ndjson", .narrated)
        #expect(
            write.content
                == "\n🔧 Write(content=\"written by the CLI\", file_path=\"/srv/ccproxy/workspace/fixture-file.txt\")\n"
                + "↳ \(Self.writeResult)\n"
                + "tool said: \(Self.writeResult)")
    }

    @Test("verbose thinking without reasoning: a 💭 paragraph in content, streamed piece by piece")
    func verboseThinking() throws {
        let rendering = try FixtureSupport.render(fixture: "thinking.ndjson", .verbose)
        #expect(
            rendering.deltas == [
                .content("\n💭 Let me think about it."), .content("\n"), .content("pong"),
            ])
    }

    @Test("with reasoning requested, thinking is reasoning in every mode and never content", arguments: Verbosity.allCases)
    func reasoningRequested(verbosity: Verbosity) throws {
        let rendering = try FixtureSupport.render(fixture: "thinking.ndjson", verbosity, includeReasoning: true)
        #expect(rendering.deltas == [.reasoning("Let me think about it."), .content("pong")])
    }

    @Test("without reasoning, thinking is nowhere in text-only and narrated", arguments: [Verbosity.textOnly, .narrated])
    func thinkingHidden(verbosity: Verbosity) throws {
        let rendering = try FixtureSupport.render(fixture: "thinking.ndjson", verbosity)
        #expect(rendering.deltas == [.content("pong")])
    }

    @Test("failed turns render nothing: the synthetic API Error message is hidden", arguments: Verbosity.allCases)
    func failures(verbosity: Verbosity) throws {
        for file in ["api-error-400.ndjson", "no-such-session.ndjson"] {
            #expect(try FixtureSupport.render(fixture: file, verbosity, includeReasoning: true).deltas == [], "\(file)")
        }
    }

    @Test("slow-stream: one delta per text_delta, no repeat from the assistant line")
    func slowStream() throws {
        let rendering = try FixtureSupport.render(fixture: "slow-stream.ndjson", .verbose)
        #expect(rendering.deltas == (0..<20).map { .content("w\($0) ") })
    }

    /// The same turn as claude prints it without `--include-partial-messages`: the
    /// `stream_event` lines removed, so only the whole `assistant` lines remain.
    private static func withoutPartials(_ events: [ClaudeEvent]) -> [ClaudeEvent] {
        events.filter { if case .streamEvent = $0 { false } else { true } }
    }

    @Test(
        "a streamed turn renders exactly like the same turn without partial messages",
        arguments: ["bash-tool.ndjson", "write-tool.ndjson", "thinking.ndjson", "text.ndjson", "slow-stream.ndjson"]
    )
    func streamedEqualsWhole(file: String) throws {
        let events = try FixtureSupport.events(file)
        for verbosity in Verbosity.allCases {
            for includeReasoning in [false, true] {
                let options = RenderOptions(verbosity: verbosity, includeReasoning: includeReasoning)
                let streamed = FixtureSupport.render(events, options)
                let whole = FixtureSupport.render(Self.withoutPartials(events), options)
                #expect(streamed.content == whole.content, "\(file) \(verbosity) \(includeReasoning)")
                #expect(streamed.reasoning == whole.reasoning, "\(file) \(verbosity) \(includeReasoning)")
                #expect(!streamed.content.isEmpty, "\(file)")
            }
        }
        // The recorded turn without partials renders like the one with them.
        let recordedWhole = try FixtureSupport.render(fixture: "text-no-partials.ndjson", .verbose)
        #expect(recordedWhole.content == (try FixtureSupport.render(fixture: "text.ndjson", .verbose)).content)
    }
}
