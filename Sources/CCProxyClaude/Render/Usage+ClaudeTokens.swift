import CCProxyCore

extension Usage {
    /// OpenAI usage for claude's token counts (zeros when claude reported none).
    ///
    /// Anthropic's `input_tokens` excludes cache reads and writes, OpenAI's `prompt_tokens`
    /// counts every token the model read, so prompt = input + cache read + cache creation;
    /// `cachedPromptTokens` = cache read; completion = output, of which `reasoningTokens` were
    /// thinking. The counts come from claude's JSON, so each is clamped at 0 and sums saturate
    /// at `Limits.maxTurnTokens`: a corrupt line must not trap the worker.
    init(claudeTokens tokens: ClaudeResult.TokenUsage?) {
        let tokens = tokens ?? ClaudeResult.TokenUsage()
        let prompt = Self.saturatingSum([tokens.input, tokens.cacheRead, tokens.cacheCreation])
        let completion = Self.saturatingSum([tokens.output])
        self.init(
            promptTokens: prompt,
            completionTokens: completion,
            totalTokens: Self.saturatingSum([prompt, completion]),
            cachedPromptTokens: Self.saturatingSum([tokens.cacheRead]),
            reasoningTokens: Self.saturatingSum([tokens.thinking])
        )
    }

    /// The sum of `counts`, each clamped at 0, capped at `Limits.maxTurnTokens`.
    static func saturatingSum(_ counts: [Int]) -> Int {
        counts.reduce(0) { total, count in
            let (sum, overflow) = total.addingReportingOverflow(max(count, 0))
            return overflow ? Limits.maxTurnTokens : min(sum, Limits.maxTurnTokens)
        }
    }
}
