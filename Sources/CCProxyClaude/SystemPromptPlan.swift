import CCProxyCore

/// What claude is told besides the conversation: the text for its system prompt, and whether
/// it is appended to claude's own system prompt or replaces it.
///
/// The text never goes on the command line: the worker writes it to a private file and passes
/// `flag` followed by the file's path.
public struct SystemPromptPlan: Sendable, Equatable {
    /// The alias `system_prompt`, then `"\n\n"`, then the request's system and developer
    /// messages (trimmed, empty ones dropped, joined with `"\n\n"`). Never empty.
    public var text: String
    /// The alias's `system_prompt_mode`.
    public var mode: SystemPromptMode

    public init(text: String, mode: SystemPromptMode) {
        self.text = text
        self.mode = mode
    }

    /// The claude flag that takes the file: `--append-system-prompt-file` for `append`,
    /// `--system-prompt-file` for `replace`.
    public var flag: String {
        switch mode {
        case .append: "--append-system-prompt-file"
        case .replace: "--system-prompt-file"
        }
    }
}
