import CCProxyCore

/// Everything needed to run one claude turn for one chat request, decided before spawning.
///
/// Session flags (`ClaudeSessionMode`: `--session-id`, `--resume`, `--no-session-persistence`)
/// and the system prompt file are the worker's: it knows the session's lease and where it
/// can write files.
public struct TurnPlan: Sendable, Equatable {
    /// The model id echoed as `model` in every response object.
    public var modelID: String
    /// argv after the executable: `-p --input-format stream-json --output-format stream-json
    /// --verbose --include-partial-messages [--model M] [--effort E] [--permission-mode P]`.
    /// Never contains the prompt, the system prompt or a file flag.
    public var arguments: [String]
    /// The system prompt to give claude through a file, or nil when there is none (claude's own
    /// system prompt is then used unchanged, even for an alias with `system_prompt_mode:
    /// replace`).
    public var systemPrompt: SystemPromptPlan?
    /// The conversation as one stream-json user message line plus `"\n"`:
    /// `{"type":"user","message":{"role":"user","content":[{"type":"text","text":…},
    /// {"type":"image","source":{"type":"base64","media_type":…,"data":…}}…]}}`.
    public var standardInput: [UInt8]
    /// Like `standardInput`, for `--resume` of a persistent session, where claude already holds
    /// the earlier turns: the latest user message alone (text and images), or "Continue the
    /// assistant response." when the conversation ends with a non-user message.
    public var resumeStandardInput: [UInt8]
    /// The alias's workspace name; resolving it (and any `X-CC-Workspace` header) is the worker's.
    public var workspaceName: String?
    /// How the answer is rendered: `X-CC-Verbosity` → the token's default → `default_verbosity`.
    public var verbosity: Verbosity
    /// Whether the client asked for reasoning (`reasoning_effort` non-empty, or `X-CC-Effort`
    /// set): thinking then goes to `reasoning_content`.
    public var includeReasoning: Bool
    /// `stream` of the request.
    public var stream: Bool
    /// `stream_options.include_usage == true`: a stream ends with a usage chunk.
    public var includeUsage: Bool
    /// For `X-CC-Ignored-Params` (joined with `,`); empty means no header.
    public var ignoredParameters: [String]
    /// The persistent session the client named (`X-CC-Session` → body `session_id` → the
    /// model's `:session=` suffix, trimmed), or nil for a stateless turn.
    public var sessionName: String?
    /// The client's functions offered to claude (through the worker's function server):
    /// the request's `tools`, or none when there are none or `tool_choice` is `none`.
    public var clientFunctions: [FunctionTool] = []
    /// The request's `tool_choice`, `auto` when absent; `required` and a named function are
    /// in the system prompt, and a turn that ends without a call says so
    /// (`X-CC-Tool-Choice-Unmet`).
    public var toolChoice: ToolChoice = .auto
    /// `parallel_tool_calls` (default true).
    public var parallelToolCalls = true
    /// `response_format` is json_schema or json_object: `arguments` hold `--json-schema`, and
    /// the answer is claude's `structured_output`.
    public var structuredOutput = false

    public init(
        modelID: String,
        arguments: [String],
        systemPrompt: SystemPromptPlan?,
        standardInput: [UInt8],
        resumeStandardInput: [UInt8],
        workspaceName: String?,
        verbosity: Verbosity,
        includeReasoning: Bool,
        stream: Bool,
        includeUsage: Bool,
        ignoredParameters: [String],
        sessionName: String? = nil
    ) {
        self.modelID = modelID
        self.arguments = arguments
        self.systemPrompt = systemPrompt
        self.standardInput = standardInput
        self.resumeStandardInput = resumeStandardInput
        self.workspaceName = workspaceName
        self.verbosity = verbosity
        self.includeReasoning = includeReasoning
        self.stream = stream
        self.includeUsage = includeUsage
        self.ignoredParameters = ignoredParameters
        self.sessionName = sessionName
    }
}
