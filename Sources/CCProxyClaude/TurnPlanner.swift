import CCProxyCore

/// Turns a decoded chat request into a `TurnPlan`: which model, which flags, which prompt,
/// how the answer is rendered.
///
/// Pure: no I/O, no clock, no randomness. Remote images are never fetched here.
public enum TurnPlanner {
    /// The flags every turn starts with.
    static let baseArguments = [
        "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
        "--include-partial-messages",
    ]

    /// Plans one turn.
    ///
    /// - Model: an exact alias id; else passthrough (`opus|sonnet|haiku`, or a full
    ///   `claude-opus|sonnet|haiku-…` id); a missing model takes the first alias, else `default`
    ///   when passthrough is on.
    /// - `--model`: `X-CC-Claude-Model` → the alias's `claude_model` or the passthrough value →
    ///   `default_claude_model` → omitted; a family name, wherever it came from, is replaced by
    ///   its `model_versions` pin.
    /// - `--effort`: `X-CC-Effort` → `reasoning_effort` → alias `effort` → `default_effort` →
    ///   omitted (both client values are validated even when the header wins).
    /// - `--permission-mode`: alias `permission_mode` → `default_permission_mode` → omitted.
    /// - Verbosity: `X-CC-Verbosity` → `tokenDefaultVerbosity` → `default_verbosity` (an invalid
    ///   token default, which token creation refuses, is skipped).
    /// - System prompt: alias `system_prompt` + `"\n\n"` + the system and developer messages
    ///   (+ `"\n\n"` + what `ClientFunctions.instructions` says about offered functions and
    ///   `tool_choice`), with the alias's `system_prompt_mode`; nil when all are empty.
    /// - Functions: the request's `tools`, unless `tool_choice` is `none`.
    /// - Throws: 404 `model_not_found`; 400 `invalid_effort`, `invalid_verbosity`, a bad
    ///   `X-CC-Claude-Model`; 400 for a conversation without a user, assistant or tool message,
    ///   an empty latest user message, or an image that cannot be sent (`invalid_image`).
    public static func plan(
        request: ChatCompletionRequest,
        headers: TurnHeaders,
        settings: ProxySettings,
        tokenDefaultVerbosity: String?
    ) throws(APIError) -> TurnPlan {
        let model = try ResolvedModel.resolve(request.model, settings: settings)
        let headerEffort = try Effort.parse(headers.effort, source: "X-CC-Effort")
        let bodyEffort = try Effort.parse(request.reasoningEffort, source: "reasoning_effort", param: "reasoning_effort")
        let effort = headerEffort ?? bodyEffort ?? model.alias?.effort ?? settings.defaultEffort
        let requestedClaudeModel =
            try headerClaudeModel(headers.claudeModel) ?? nonEmpty(model.claudeModel)
            ?? nonEmpty(settings.defaultClaudeModel)
        let claudeModel = requestedClaudeModel.map { ResolvedModel.pinned($0, settings: settings) }
        let permissionMode = model.alias?.permissionMode ?? settings.defaultPermissionMode
        let verbosity = try Verbosity.parse(headers.verbosity, source: "X-CC-Verbosity")
            ?? storedVerbosity(tokenDefaultVerbosity) ?? settings.defaultVerbosity
        let transcript = try Transcript.build(request.messages, remoteImagesEnabled: settings.remoteImages)

        var arguments = baseArguments
        if let claudeModel { arguments += ["--model", claudeModel] }
        if let effort { arguments += ["--effort", effort.rawValue] }
        if let permissionMode { arguments += ["--permission-mode", permissionMode.rawValue] }
        if let schema = structuredOutputSchema(request.responseFormat) {
            arguments += ["--json-schema", schema.rendered(.compact)]
        }

        let toolChoice = request.toolChoice ?? .auto
        let functions = toolChoice == .none ? [] : request.tools
        let parallel = request.parallelToolCalls ?? true
        let functionText = ClientFunctions.instructions(functions: functions, choice: toolChoice, parallel: parallel)
        let systemParts = [nonEmpty(model.alias?.systemPrompt), transcript.systemText, functionText].compactMap { $0 }
        let systemPrompt = systemParts.isEmpty
            ? nil
            : SystemPromptPlan(
                text: systemParts.joined(separator: "\n\n"), mode: model.alias?.systemPromptMode ?? .append)
        let headerEffortSet = nonEmpty(headers.effort?.trimmingWhitespace()) != nil
        let bodyEffortSet = nonEmpty(request.reasoningEffort?.trimmingWhitespace()) != nil
        var plan = TurnPlan(
            modelID: model.id,
            arguments: arguments,
            systemPrompt: systemPrompt,
            standardInput: try StreamJSONInput.userMessage(text: transcript.text, images: transcript.images),
            resumeStandardInput: try StreamJSONInput.userMessage(
                text: transcript.resumeText, images: transcript.images),
            workspaceName: nonEmpty(model.alias?.workspace),
            verbosity: verbosity,
            includeReasoning: headerEffortSet || bodyEffortSet,
            stream: request.stream,
            includeUsage: request.includeUsage == true,
            ignoredParameters: request.ignoredParameters,
            sessionName: try sessionName(header: headers.session, request: request.sessionID)
        )
        plan.clientFunctions = functions
        plan.toolChoice = toolChoice
        plan.parallelToolCalls = parallel
        plan.structuredOutput = structuredOutputSchema(request.responseFormat) != nil
        return plan
    }

    /// The schema claude's `--json-schema` gets: the client's for json_schema, any object for
    /// json_object (claude then makes the model answer through its StructuredOutput tool,
    /// checks the document and asks again when it does not fit); nil for text or none.
    static func structuredOutputSchema(_ format: ResponseFormat?) -> JSONValue? {
        switch format {
        case .jsonSchema(_, let schema)?: schema
        case .jsonObject?: .object(["type": .string("object")])
        case .text?, nil: nil
        }
    }

    /// The session name: the header, else the body's (`session_id`, then the model suffix),
    /// trimmed; nil when empty (a stateless turn).
    /// - Throws: 400 when it is longer than `Limits.maxSessionNameBytes` or holds control
    ///   characters.
    static func sessionName(header: String?, request: String?) throws(APIError) -> String? {
        let fromHeader = nonEmpty(header?.trimmingWhitespace())
        guard let name = fromHeader ?? nonEmpty(request?.trimmingWhitespace()) else { return nil }
        let invalid = name.utf8.count > Limits.maxSessionNameBytes || name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        if invalid {
            throw APIError.invalidRequest(
                "the session id must be 1 to \(Limits.maxSessionNameBytes) bytes without control characters",
                code: "invalid_session_id", param: fromHeader == nil ? "session_id" : nil)
        }
        return name
    }

    /// The `X-CC-Claude-Model` value, trimmed; nil when absent or empty.
    /// - Throws: 400 when it could be mistaken for a flag or holds whitespace or control characters.
    private static func headerClaudeModel(_ raw: String?) throws(APIError) -> String? {
        guard let value = nonEmpty(raw?.trimmingWhitespace()) else { return nil }
        let invalid = value.hasPrefix("-") || value.utf8.count > 128 || value.utf8.contains { $0 <= 0x20 || $0 == 0x7F }
        if invalid {
            throw APIError.invalidRequest(
                "X-CC-Claude-Model \"\(value)\" is not a valid model name", code: "invalid_claude_model")
        }
        return value
    }

    /// A token's stored default verbosity; nil when unset or (never, after token creation's
    /// check) invalid — the client is not to blame for it.
    private static func storedVerbosity(_ raw: String?) -> Verbosity? {
        do {
            return try Verbosity.parse(raw, source: "default_verbosity")
        } catch {
            return nil
        }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
