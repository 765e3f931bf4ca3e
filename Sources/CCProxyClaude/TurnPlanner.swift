import CCProxyCore

/// Turns a chat request into a `TurnPlan`: which model, which flags, which prompt.
///
/// Pure: no I/O, no clock, no randomness.
public enum TurnPlanner {
    /// The flags every turn starts with.
    static let baseArguments = [
        "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
        "--include-partial-messages",
    ]

    /// Plans one turn.
    ///
    /// - Model: the alias id; else passthrough (`opus|sonnet|haiku`, pinned by `model_versions`,
    ///   or a full `claude-opus|sonnet|haiku-…` id); a missing model takes the first alias, else
    ///   `default` when passthrough is on.
    /// - `--model`: `X-CC-Claude-Model` → the alias' `claude_model` or the passthrough value →
    ///   `default_claude_model` → omitted.
    /// - `--effort`: `X-CC-Effort` → `reasoning_effort` → alias `effort` → `default_effort` →
    ///   omitted (both client values are validated even when the header wins).
    /// - `--permission-mode`: alias `permission_mode` → `default_permission_mode` → omitted.
    /// - System prompt: alias `system_prompt` + `"\n\n"` + the request's system messages.
    /// - Throws: 404 `model_not_found` "The model '<m>' does not exist (see GET /v1/models)";
    ///   400 naming a bad effort or claude model value; 400 for a conversation without a
    ///   non-system message, with an empty trailing user message, or with an unsupported image.
    public static func plan(
        request: ChatCompletionRequest,
        headers: TurnHeaders,
        settings: ProxySettings
    ) throws(APIError) -> TurnPlan {
        let model = try ResolvedModel.resolve(request.model, settings: settings)
        let headerEffort = try Effort.parse(headers.effort, source: "X-CC-Effort")?.rawValue
        let bodyEffort = try Effort.parse(request.reasoningEffort, source: "reasoning_effort")?.rawValue
        let effort = headerEffort ?? bodyEffort ?? nonEmpty(model.alias?.effort) ?? nonEmpty(settings.defaultEffort)
        let claudeModel =
            try headerClaudeModel(headers.claudeModel) ?? nonEmpty(model.claudeModel)
            ?? nonEmpty(settings.defaultClaudeModel)
        let permissionMode = nonEmpty(model.alias?.permissionMode) ?? nonEmpty(settings.defaultPermissionMode)
        let prompt = try Prompt.flatten(request.messages)

        var arguments = baseArguments
        if let claudeModel { arguments += ["--model", claudeModel] }
        if let effort { arguments += ["--effort", effort] }
        if let permissionMode { arguments += ["--permission-mode", permissionMode] }

        let systemParts = [nonEmpty(model.alias?.systemPrompt), prompt.systemText].compactMap { $0 }
        return TurnPlan(
            modelID: model.id,
            arguments: arguments,
            systemPrompt: systemParts.isEmpty ? nil : systemParts.joined(separator: "\n\n"),
            standardInput: StreamJSONInput.userMessage(text: prompt.text, images: prompt.images),
            resumeStandardInput: StreamJSONInput.userMessage(text: prompt.resumeText, images: prompt.images),
            workspaceName: nonEmpty(model.alias?.workspace)
        )
    }

    /// The `/v1/models` catalogue: every alias (owned by `ccproxy`), then, when passthrough is
    /// on, `opus`, `sonnet`, `haiku` (owned by `claude-passthrough`, or
    /// `claude-passthrough → <pinned id>` when pinned), skipping families an alias shadows.
    public static func modelCatalogue(settings: ProxySettings) -> [(id: String, ownedBy: String)] {
        var entries: [(id: String, ownedBy: String)] = settings.models.map { ($0.id, "ccproxy") }
        guard settings.allowPassthroughModels else { return entries }
        for family in ResolvedModel.families where !settings.models.contains(where: { $0.id == family }) {
            if let pinned = settings.modelVersions[family], !pinned.isEmpty {
                entries.append((family, "claude-passthrough → \(pinned)"))
            } else {
                entries.append((family, "claude-passthrough"))
            }
        }
        return entries
    }

    /// The `X-CC-Claude-Model` value, trimmed; nil when absent or empty.
    /// - Throws: 400 when it could be mistaken for a flag or holds whitespace or control characters.
    private static func headerClaudeModel(_ raw: String?) throws(APIError) -> String? {
        guard let value = nonEmpty(raw?.trimmingWhitespace()) else { return nil }
        let invalid = value.hasPrefix("-") || value.utf8.count > 128 || value.utf8.contains { $0 <= 0x20 || $0 == 0x7F }
        if invalid {
            throw APIError.invalidRequest("X-CC-Claude-Model \"\(value)\" is not a valid model name")
        }
        return value
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
