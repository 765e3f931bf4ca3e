/// How an alias's system prompt (plus the request's system and developer messages) is given
/// to claude (`system_prompt_mode` of a `models:` entry).
///
/// | value | flag | effect |
/// |---|---|---|
/// | `append` (default) | `--append-system-prompt-file` | added after claude's own system prompt |
/// | `replace` | `--system-prompt-file` | claude's own system prompt is not used |
public enum SystemPromptMode: String, Sendable, Codable, CaseIterable {
    case append
    case replace

    /// The accepted values, for error messages.
    public static let allowedValues = allCases.map(\.rawValue)
}
