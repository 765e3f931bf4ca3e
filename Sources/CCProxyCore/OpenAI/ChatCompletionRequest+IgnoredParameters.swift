extension ChatCompletionRequest {
    /// The fields ccproxy acts on; never reported as ignored.
    static let actedOnFields: Set<String> = [
        "model", "messages", "stream", "stream_options", "reasoning_effort", "session_id", "n",
        "tools", "tool_choice", "parallel_tool_calls", "response_format",
    ]

    /// The known OpenAI fields ccproxy accepts but does not honour, in reporting order.
    public static let ignoredParameterOrder = [
        "temperature", "top_p", "max_tokens", "max_completion_tokens", "stop", "presence_penalty",
        "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed", "user", "timeout",
        "metadata", "store", "service_tier", "prediction", "modalities", "audio",
        "functions", "function_call",
    ]

    /// Longest unknown field name reported.
    static let maxReportedNameBytes = 64

    /// Every present, non-null field that is not acted on: the known ones in
    /// `ignoredParameterOrder`, then the unknown ones sorted, capped (see `ignoredParameters`).
    static func ignoredParameters(in fields: [String: JSONValue]) -> [String] {
        let present = { (name: String) in fields[name].map { $0 != .null } ?? false }
        let known = ignoredParameterOrder.filter(present)
        let knownSet = Set(ignoredParameterOrder)
        let unknown = fields.keys
            .filter { !knownSet.contains($0) && !actedOnFields.contains($0) && present($0) && isReportable($0) }
            .sorted()
        var names: [String] = []
        var bytes = 0
        for name in known + unknown {
            let added = name.utf8.count + (names.isEmpty ? 0 : 1)
            guard names.count < Limits.maxIgnoredParameterNames,
                bytes + added <= Limits.maxIgnoredParametersHeaderBytes
            else { break }
            names.append(name)
            bytes += added
        }
        return names
    }

    /// Whether a client-chosen field name can go into a header as is: 1–64 bytes of ASCII
    /// letters, digits, `_`, `-` and `.`.
    private static func isReportable(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= maxReportedNameBytes else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                true
            default:
                false
            }
        }
    }
}
