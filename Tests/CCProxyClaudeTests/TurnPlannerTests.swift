import CCProxyClaude
import CCProxyCore
import Testing

/// Resolution: model, --model pins, effort, permission mode, verbosity, reasoning, flags.
@Suite("TurnPlanner resolution")
struct TurnPlannerTests {
    typealias S = PlannerSupport

    @Test("an alias: pinned claude model, effort, permission mode, system prompt, workspace; exact argv and stdin")
    func alias() throws {
        let plan = try S.plan(S.request(model: "claude-code"))
        #expect(plan.modelID == "claude-code")
        #expect(
            plan.arguments
                == S.base + [
                    "--model", "claude-haiku-4-5", "--effort", "high", "--permission-mode", "acceptEdits",
                ])
        #expect(plan.systemPrompt == SystemPromptPlan(text: "Be brief.", mode: .append))
        #expect(plan.systemPrompt?.flag == "--append-system-prompt-file")
        #expect(plan.workspaceName == "ws")
        #expect(plan.verbosity == .textOnly)
        #expect(plan.includeReasoning == false)
        #expect(plan.stream == false)
        #expect(plan.includeUsage == false)
        #expect(plan.ignoredParameters == [])
        let line = #"{"message":{"content":[{"text":"ping","type":"text"}],"role":"user"},"type":"user"}"# + "\n"
        #expect(plan.standardInput == Array(line.utf8))
        #expect(plan.resumeStandardInput == Array(line.utf8))
    }

    @Test(
        "model resolution table; a family name is pinned wherever it comes from",
        arguments: [
            // (requested, echoed id, --model)
            ("claude-code", "claude-code", "claude-haiku-4-5"),  // alias claude_model: haiku, pinned
            ("plain", "plain", "claude-opus-4-6"),  // no claude_model → default_claude_model: opus, pinned
            ("sonnet", "sonnet", "claude-sonnet-4-6"),  // an alias named like a family wins
            ("fixed", "fixed", "claude-opus-4-5"),  // a full id is never re-pinned
            ("opus", "opus", "claude-opus-4-6"),  // passthrough family, pinned
            ("haiku", "haiku", "claude-haiku-4-5"),
            ("claude-opus-4-7", "claude-opus-4-7", "claude-opus-4-7"),
            ("claude-sonnet-4-6[1m]", "claude-sonnet-4-6[1m]", "claude-sonnet-4-6[1m]"),
        ]
    )
    func resolution(requested: String, id: String, claudeModel: String) throws {
        let plan = try S.plan(S.request(model: requested))
        #expect(plan.modelID == id)
        #expect(S.flag("--model", in: plan) == claudeModel)
    }

    @Test("an unpinned family passes through as is")
    func unpinned() throws {
        #expect(S.flag("--model", in: try S.plan(S.request(model: "sonnet"), settings: ProxySettings())) == "sonnet")
    }

    @Test(
        "unknown models → 404 model_not_found",
        arguments: [
            "gpt-4o", "claude-", "claude-code-x", "claude-foo-1", "haik", "Opus", "claude-opus-4 7", "claude-opus-\u{0}",
        ]
    )
    func unknownModel(requested: String) {
        S.expectError(
            status: 404, message: "The model '\(requested)' does not exist (see GET /v1/models)",
            code: "model_not_found", param: nil
        ) { () throws(APIError) in _ = try S.plan(S.request(model: requested)) }
    }

    @Test("passthrough off: families are unknown, aliases still work")
    func passthroughOff() throws {
        var settings = S.settings
        settings.allowPassthroughModels = false
        #expect(throws: APIError.self) { _ = try S.plan(S.request(model: "opus"), settings: settings) }
        #expect(throws: APIError.self) { _ = try S.plan(S.request(model: "claude-opus-4-7"), settings: settings) }
        #expect(try S.plan(S.request(model: "sonnet"), settings: settings).modelID == "sonnet")
    }

    @Test("missing model: the first alias, else default (default_claude_model pinned), else 404")
    func missingModel() throws {
        #expect(try S.plan(S.request(model: nil)).modelID == "claude-code")
        var settings = ProxySettings(defaultClaudeModel: "haiku", modelVersions: ["haiku": "claude-haiku-4-5"])
        let fallback = try S.plan(S.request(model: nil), settings: settings)
        #expect(fallback.modelID == "default")
        #expect(S.flag("--model", in: fallback) == "claude-haiku-4-5")
        #expect(fallback.workspaceName == nil)
        settings.allowPassthroughModels = false
        S.expectError(
            status: 404, message: "No model was given and no default model is configured (see GET /v1/models)",
            code: "model_not_found", param: nil
        ) { () throws(APIError) in _ = try S.plan(S.request(model: nil), settings: settings) }
    }

    @Test("nothing configured: no --model, --effort or --permission-mode")
    func bare() throws {
        let settings = ProxySettings(defaultPermissionMode: nil)
        #expect(try S.plan(S.request(model: nil), settings: settings).arguments == S.base)
        #expect(try S.plan(S.request(model: "opus"), settings: settings).arguments == S.base + ["--model", "opus"])
    }

    @Test("X-CC-Claude-Model wins, trimmed, and is pinned when it is a family name")
    func claudeModelHeader() throws {
        let cases: [(String, String)] = [
            (" claude-opus-4-7 ", "claude-opus-4-7"), ("haiku", "claude-haiku-4-5"), (" opus ", "claude-opus-4-6"),
            ("sonnet", "sonnet"), ("  ", "claude-haiku-4-5"),
        ]
        for (header, expected) in cases {
            let plan = try S.plan(S.request(model: "claude-code"), headers: .init(claudeModel: header))
            #expect(S.flag("--model", in: plan) == expected, "\(header)")
        }
        for header in ["--dangerously-skip-permissions", "a b", "x\u{7F}", String(repeating: "m", count: 129)] {
            S.expectError(
                message: "X-CC-Claude-Model \"\(header)\" is not a valid model name", code: "invalid_claude_model",
                param: nil
            ) { () throws(APIError) in _ = try S.plan(S.request(), headers: .init(claudeModel: header)) }
        }
    }

    @Test("effort precedence: header → body → alias → default")
    func effortPrecedence() throws {
        func effort(_ model: String, body: String? = nil, header: String? = nil, settings: ProxySettings = S.settings)
            throws -> String?
        {
            S.flag("--effort", in: try S.plan(S.request(model: model, effort: body), headers: .init(effort: header), settings: settings))
        }
        #expect(try effort("claude-code", body: "low", header: " MAX ") == "max")
        #expect(try effort("claude-code", body: "Low") == "low")
        #expect(try effort("claude-code") == "high")
        #expect(try effort("plain") == "medium")
        #expect(try effort("plain", settings: ProxySettings(models: [.init(id: "plain")])) == nil)
        #expect(try effort("plain", body: "minimal") == "low")
        #expect(try effort("plain", body: "none") == "low")
        #expect(try effort("plain", body: "", header: "") == "medium")
        #expect(try effort("plain", body: "xhigh") == "xhigh")
    }

    @Test("a bad effort is a 400 naming the value and the allowed ones, even when the header wins")
    func badEffort() {
        S.expectError(
            message: #"reasoning_effort "turbo" must be one of: low, medium, high, xhigh, max"#, code: "invalid_effort",
            param: "reasoning_effort"
        ) { () throws(APIError) in _ = try S.plan(S.request(effort: "turbo")) }
        S.expectError(
            message: #"reasoning_effort "extreme" must be one of: low, medium, high, xhigh, max"#,
            code: "invalid_effort", param: "reasoning_effort"
        ) { () throws(APIError) in _ = try S.plan(S.request(effort: "extreme"), headers: .init(effort: "high")) }
        S.expectError(
            message: #"X-CC-Effort "warp" must be one of: low, medium, high, xhigh, max"#, code: "invalid_effort",
            param: nil
        ) { () throws(APIError) in _ = try S.plan(S.request(effort: "low"), headers: .init(effort: "warp")) }
    }

    @Test("permission mode: alias → default → omitted")
    func permissionMode() throws {
        #expect(S.flag("--permission-mode", in: try S.plan(S.request(model: "claude-code"))) == "acceptEdits")
        #expect(S.flag("--permission-mode", in: try S.plan(S.request(model: "plain"))) == "bypassPermissions")
        let settings = ProxySettings(defaultPermissionMode: .plan, models: [.init(id: "a"), .init(id: "b", permissionMode: .auto)])
        #expect(S.flag("--permission-mode", in: try S.plan(S.request(model: "a"), settings: settings)) == "plan")
        #expect(S.flag("--permission-mode", in: try S.plan(S.request(model: "b"), settings: settings)) == "auto")
    }

    @Test("verbosity: header → token default → default_verbosity")
    func verbosity() throws {
        var settings = S.settings
        settings.defaultVerbosity = .narrated
        func verbosity(header: String?, token: String?) throws -> Verbosity {
            try S.plan(S.request(), headers: .init(verbosity: header), settings: settings, token: token).verbosity
        }
        #expect(try verbosity(header: nil, token: nil) == .narrated)
        #expect(try verbosity(header: nil, token: "verbose") == .verbose)
        #expect(try verbosity(header: " Text-Only ", token: "verbose") == .textOnly)
        #expect(try verbosity(header: "text", token: nil) == .textOnly)
        #expect(try verbosity(header: "default", token: "verbose") == .textOnly)
        #expect(try verbosity(header: "narrated", token: "verbose") == .narrated)
        #expect(try verbosity(header: "", token: "verbose") == .verbose)
        #expect(try verbosity(header: nil, token: "") == .narrated)
        #expect(try verbosity(header: nil, token: "garbled") == .narrated)  // a stored value is not the client's fault
    }

    @Test("an invalid X-CC-Verbosity is a 400 naming the allowed values")
    func badVerbosity() {
        S.expectError(
            message: #"X-CC-Verbosity "loud" must be one of: text-only, verbose, narrated"#, code: "invalid_verbosity",
            param: nil
        ) { () throws(APIError) in _ = try S.plan(S.request(), headers: .init(verbosity: "loud"), token: "verbose") }
    }

    @Test("reasoning is requested by a non-empty reasoning_effort or X-CC-Effort")
    func includeReasoning() throws {
        func reasoning(body: String?, header: String?) throws -> Bool {
            try S.plan(S.request(effort: body), headers: .init(effort: header)).includeReasoning
        }
        #expect(try reasoning(body: nil, header: nil) == false)
        #expect(try reasoning(body: "", header: " ") == false)
        #expect(try reasoning(body: "low", header: nil) == true)
        #expect(try reasoning(body: nil, header: "max") == true)
        #expect(try reasoning(body: "none", header: nil) == true)
        // An alias's or the default effort is not a client request for reasoning.
        #expect(try S.plan(S.request(model: "claude-code")).includeReasoning == false)
    }

    @Test("stream, include_usage and ignored parameters are carried over")
    func carried() throws {
        var request = S.request()
        request.stream = true
        request.includeUsage = true
        request.ignoredParameters = ["temperature", "tools"]
        let plan = try S.plan(request)
        #expect(plan.stream)
        #expect(plan.includeUsage)
        #expect(plan.ignoredParameters == ["temperature", "tools"])
        request.includeUsage = false
        #expect(try S.plan(request).includeUsage == false)
        request.includeUsage = nil
        #expect(try S.plan(request).includeUsage == false)
    }

    @Test("the model catalogue")
    func catalogue() {
        let entries = TurnPlanner.modelCatalogue(settings: S.settings).map { "\($0.id)|\($0.ownedBy)" }
        #expect(
            entries == [
                "claude-code|ccproxy", "plain|ccproxy", "sonnet|ccproxy", "fixed|ccproxy", "poet|ccproxy",
                "blank-slate|ccproxy", "opus|claude-passthrough → claude-opus-4-6",
                "haiku|claude-passthrough → claude-haiku-4-5",
            ]
        )
        var off = S.settings
        off.allowPassthroughModels = false
        #expect(TurnPlanner.modelCatalogue(settings: off).count == 6)
    }
}
