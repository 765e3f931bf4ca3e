// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore
import CCProxyWire

/// Whether a request is the follow-up of a turn that may be waiting: its messages end with
/// the assistant's `tool_calls` and one `role: tool` result for each of them, nothing after.
/// Pure. A request that only looks like one (the turn is gone, or was never ours) is served
/// from the transcript when no waiting turn matches its call ids.
enum FollowUpDetector {
    static func followUp(of chat: ChatCompletionRequest, plan: TurnPlan, requestID: String) -> FollowUp? {
        let messages = chat.messages
        guard let last = messages.lastIndex(where: { $0.role == .assistant }), !messages[last].toolCalls.isEmpty else { return nil }
        let answers = messages[(last + 1)...]
        guard !answers.isEmpty, answers.allSatisfy({ $0.role == .tool && $0.toolCallID != nil }) else { return nil }
        let called = messages[last].toolCalls.map(\.id)
        let answered = answers.compactMap(\.toolCallID)
        guard Set(called).count == called.count, Set(answered) == Set(called), answered.count == called.count else { return nil }
        guard called.allSatisfy({ !$0.isEmpty && $0.utf8.count <= Limits.maxToolCallIDBytes }) else { return nil }
        let results = answers.map { FollowUp.Result(callID: $0.toolCallID ?? "", text: $0.content.plainText) }
        return FollowUp(
            requestID: requestID, results: results, stream: plan.stream, includeUsage: plan.includeUsage, model: plan.modelID,
            keepAlive: false)
    }
}
