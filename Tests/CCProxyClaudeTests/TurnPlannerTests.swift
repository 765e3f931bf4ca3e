import CCProxyClaude
import CCProxyCore
import Foundation
import Testing

@Suite("TurnPlanner")
struct TurnPlannerTests {
    private static let settings = ProxySettings(
        defaultEffort: "medium",
        defaultClaudeModel: "sonnet",
        defaultPermissionMode: "bypassPermissions",
        modelVersions: ["haiku": "claude-haiku-4-5"],
        models: [
            ModelAlias(
                id: "claude-code",
                workspace: "ws",
                systemPrompt: "Be brief.",
                effort: "high",
                claudeModel: "opus",
                permissionMode: "acceptEdits"
            ),
            ModelAlias(id: "plain"),
            ModelAlias(id: "sonnet", claudeModel: "claude-sonnet-4-6"),
        ]
    )

    private func request(
        model: String? = nil,
        effort: String? = nil,
        _ messages: [ChatMessage] = [.init(role: "user", content: .text("ping"))]
    ) -> ChatCompletionRequest {
        ChatCompletionRequest(model: model, messages: messages, reasoningEffort: effort)
    }

    private func plan(
        _ request: ChatCompletionRequest,
        headers: TurnHeaders = TurnHeaders(),
        settings: ProxySettings = Self.settings
    ) throws(APIError) -> TurnPlan {
        try TurnPlanner.plan(request: request, headers: headers, settings: settings)
    }

    private func flag(_ name: String, in plan: TurnPlan) -> String? {
        guard let index = plan.arguments.firstIndex(of: name), index + 1 < plan.arguments.count else { return nil }
        return plan.arguments[index + 1]
    }

    /// The user message line on stdin, parsed.
    private func stdinText(_ bytes: [UInt8]) throws -> String {
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(bytes.dropLast().contains(UInt8(ascii: "\n")) == false)
        let line = try FixtureSupport.jsonObject(bytes)
        #expect(line["type"] as? String == "user")
        let message = try #require(line["message"] as? [String: Any])
        #expect(message["role"] as? String == "user")
        let content = try #require(message["content"] as? [[String: Any]])
        #expect(content.first?["type"] as? String == "text")
        return try #require(content.first?["text"] as? String)
    }

    @Test("an alias: its claude model, effort, permission mode, system prompt, workspace; exact argv")
    func alias() throws {
        let plan = try plan(request(model: "claude-code"))
        #expect(plan.modelID == "claude-code")
        #expect(
            plan.arguments == [
                "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
                "--include-partial-messages", "--model", "opus", "--effort", "high", "--permission-mode", "acceptEdits",
            ]
        )
        #expect(plan.systemPrompt == "Be brief.")
        #expect(plan.workspaceName == "ws")
        #expect(try stdinText(plan.standardInput) == "ping")
    }

    @Test(
        "model resolution table",
        arguments: [
            // (requested, echoed id, --model)
            ("claude-code", "claude-code", "opus"),
            ("plain", "plain", "sonnet"),  // alias without claude_model → default_claude_model
            ("sonnet", "sonnet", "claude-sonnet-4-6"),  // an alias named like a family wins
            ("opus", "opus", "opus"),  // unpinned family
            ("haiku", "haiku", "claude-haiku-4-5"),  // pinned family
            ("claude-opus-4-7", "claude-opus-4-7", "claude-opus-4-7"),
            ("claude-sonnet-4-6[1m]", "claude-sonnet-4-6[1m]", "claude-sonnet-4-6[1m]"),
        ]
    )
    func resolution(requested: String, id: String, claudeModel: String) throws {
        let plan = try plan(request(model: requested))
        #expect(plan.modelID == id)
        #expect(flag("--model", in: plan) == claudeModel)
    }

    @Test(
        "unknown models → 404 model_not_found",
        arguments: [
            "gpt-4o", "claude-", "claude-code-x", "claude-foo-1", "haik", "Opus", "claude-opus-4 7",
            "claude-opus-\u{0}",
        ]
    )
    func unknownModel(requested: String) {
        #expect {
            _ = try plan(request(model: requested))
        } throws: { error in
            let error = try #require(error as? APIError)
            return error.status == 404 && error.code == "model_not_found"
                && error.message == "The model '\(requested)' does not exist (see GET /v1/models)"
        }
    }

    @Test("passthrough off: families are unknown, aliases still work")
    func passthroughOff() throws {
        var settings = Self.settings
        settings.allowPassthroughModels = false
        #expect(throws: APIError.self) { _ = try plan(request(model: "opus"), settings: settings) }
        #expect(throws: APIError.self) { _ = try plan(request(model: "claude-opus-4-7"), settings: settings) }
        #expect(try plan(request(model: "sonnet"), settings: settings).modelID == "sonnet")
    }

    @Test("missing model: the first alias, else default with passthrough, else 404")
    func missingModel() throws {
        #expect(try plan(request()).modelID == "claude-code")
        var settings = ProxySettings(defaultClaudeModel: "haiku")
        let fallback = try plan(request(), settings: settings)
        #expect(fallback.modelID == "default")
        #expect(flag("--model", in: fallback) == "haiku")
        #expect(fallback.workspaceName == nil)
        settings.allowPassthroughModels = false
        #expect(throws: APIError.self) { _ = try plan(request(), settings: settings) }
    }

    @Test("nothing configured: no --model, --effort or --permission-mode")
    func bare() throws {
        let settings = ProxySettings(defaultPermissionMode: nil)
        let plan = try plan(request(model: "opus"), settings: settings)
        #expect(plan.arguments == Array(TurnPlannerTests.base) + ["--model", "opus"])
        #expect(plan.systemPrompt == nil)
        #expect(plan.workspaceName == nil)
    }
    static let base = [
        "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
        "--include-partial-messages",
    ]

    @Test("effort precedence: header → body → alias → default")
    func effortPrecedence() throws {
        #expect(
            flag(
                "--effort",
                in: try plan(request(model: "claude-code", effort: "low"), headers: .init(effort: " MAX "))
            ) == "max"
        )
        #expect(flag("--effort", in: try plan(request(model: "claude-code", effort: "Low"))) == "low")
        #expect(flag("--effort", in: try plan(request(model: "claude-code"))) == "high")
        #expect(flag("--effort", in: try plan(request(model: "plain"))) == "medium")
        #expect(
            flag(
                "--effort",
                in: try plan(request(model: "plain"), settings: ProxySettings(models: [.init(id: "plain")]))
            ) == nil
        )
        #expect(flag("--effort", in: try plan(request(model: "plain", effort: "minimal"))) == "low")
        #expect(
            flag("--effort", in: try plan(request(model: "plain", effort: ""), headers: .init(effort: ""))) == "medium"
        )
    }

    @Test("a bad effort is a 400 naming the value, even when the header wins")
    func badEffort() {
        #expect {
            _ = try plan(request(model: "plain", effort: "turbo"))
        } throws: { error in
            let error = try #require(error as? APIError)
            return error.status == 400
                && error.message == "reasoning_effort \"turbo\" must be one of: low, medium, high, xhigh, max"
        }
        #expect {
            _ = try plan(request(model: "plain", effort: "extreme"), headers: .init(effort: "high"))
        } throws: { error in
            (error as? APIError)?.message.contains("extreme") == true
        }
        #expect {
            _ = try plan(request(model: "plain"), headers: .init(effort: "warp"))
        } throws: { error in
            (error as? APIError)?.message == "X-CC-Effort \"warp\" must be one of: low, medium, high, xhigh, max"
        }
    }

    @Test("claude model precedence: header → alias/passthrough → default; flag-like headers refused")
    func claudeModel() throws {
        #expect(
            flag(
                "--model",
                in: try plan(request(model: "claude-code"), headers: .init(claudeModel: " claude-opus-4-7 "))
            ) == "claude-opus-4-7"
        )
        #expect(
            flag("--model", in: try plan(request(model: "claude-code"), headers: .init(claudeModel: "  "))) == "opus"
        )
        #expect(throws: APIError.self) {
            _ = try plan(request(model: "plain"), headers: .init(claudeModel: "--dangerously-skip-permissions"))
        }
        #expect(throws: APIError.self) { _ = try plan(request(model: "plain"), headers: .init(claudeModel: "a b")) }
    }

    @Test("system prompt: alias prompt, then system and developer messages, anywhere in the list")
    func systemPrompt() throws {
        let messages: [ChatMessage] = [
            .init(role: "system", content: .text(" be terse ")),
            .init(role: "user", content: .text("hi")),
            .init(role: "Developer", content: .parts([.text("no jokes")])),
            .init(role: "SYSTEM", content: .text("   ")),
        ]
        #expect(try plan(request(model: "claude-code", messages)).systemPrompt == "Be brief.\n\nbe terse\n\nno jokes")
        #expect(try plan(request(model: "plain", messages)).systemPrompt == "be terse\n\nno jokes")
        let plan = try plan(request(model: "plain", messages))
        #expect(try stdinText(plan.standardInput) == "hi")
        #expect(!plan.arguments.contains { $0.contains("terse") })
    }

    @Test("multi-turn conversations are flattened with a preamble")
    func flattening() throws {
        let messages: [ChatMessage] = [
            .init(role: "user", content: .text("hi")),
            .init(role: "Assistant", content: .text("hi back")),
            .init(role: "user", content: .text("how are you?")),
        ]
        let plan = try plan(request(model: "plain", messages))
        #expect(
            try stdinText(plan.standardInput)
                == "Conversation so far:\nuser: hi\nassistant: hi back\n\nLatest user message:\nhow are you?"
        )
        #expect(try stdinText(plan.resumeStandardInput) == "how are you?")
    }

    @Test("a conversation ending with a non-user message asks to continue")
    func trailingAssistant() throws {
        let messages: [ChatMessage] = [
            .init(role: "user", content: .text("hi")), .init(role: "assistant", content: .text("hi back")),
        ]
        let plan = try plan(request(model: "plain", messages))
        #expect(
            try stdinText(plan.standardInput)
                == "Conversation so far:\nuser: hi\nassistant: hi back\n\nContinue the assistant response.\n"
        )
        #expect(try stdinText(plan.resumeStandardInput) == "Continue the assistant response.")
    }

    @Test("conversations the planner refuses")
    func refused() {
        let onlySystem = [ChatMessage(role: "system", content: .text("x"))]
        #expect(throws: APIError.self) { _ = try plan(request(model: "plain", onlySystem)) }
        let emptyUser = [ChatMessage(role: "user", content: .text("  "))]
        #expect(throws: APIError.self) { _ = try plan(request(model: "plain", emptyUser)) }
        let remoteImage = [ChatMessage(role: "user", content: .parts([.text("see"), .imageURL("https://x/y.png")]))]
        #expect(throws: APIError.self) { _ = try plan(request(model: "plain", remoteImage)) }
        let badType = [ChatMessage(role: "user", content: .parts([.imageURL("data:image/tiff;base64,AA")]))]
        #expect(throws: APIError.self) { _ = try plan(request(model: "plain", badType)) }
    }

    @Test("images of the last user message become image blocks")
    func images() throws {
        let messages = [
            ChatMessage(
                role: "user",
                content: .parts([.text("what is this?"), .imageURL("data:image/png;base64,iVBORw0K")])
            )
        ]
        let plan = try plan(request(model: "plain", messages))
        let line = try FixtureSupport.jsonObject(plan.standardInput)
        let content = try #require((line["message"] as? [String: Any])?["content"] as? [[String: Any]])
        #expect(content.count == 2)
        let source = try #require(content[1]["source"] as? [String: String])
        #expect(source == ["type": "base64", "media_type": "image/png", "data": "iVBORw0K"])
    }

    @Test("a 300 KB prompt goes to stdin, never to argv; special characters survive")
    func hugePrompt() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t nul \u{0} emoji 🦀 line-sep \u{2028} "
        let prompt = tricky + String(repeating: "x", count: 300 * 1024)
        let plan = try plan(request(model: "plain", [.init(role: "user", content: .text(prompt))]))
        #expect(try stdinText(plan.standardInput) == prompt)
        #expect(plan.standardInput.count > 300 * 1024)
        #expect(plan.arguments.allSatisfy { $0.utf8.count < 100 })
        #expect(String(decoding: plan.standardInput, as: UTF8.self).utf8.elementsEqual(plan.standardInput))
    }

    @Test("the model catalogue")
    func catalogue() {
        let entries = TurnPlanner.modelCatalogue(settings: Self.settings).map { "\($0.id)|\($0.ownedBy)" }
        #expect(
            entries == [
                "claude-code|ccproxy", "plain|ccproxy", "sonnet|ccproxy", "opus|claude-passthrough",
                "haiku|claude-passthrough → claude-haiku-4-5",
            ]
        )
        var off = Self.settings
        off.allowPassthroughModels = false
        #expect(TurnPlanner.modelCatalogue(settings: off).map(\.id) == ["claude-code", "plain", "sonnet"])
    }
}
