// Runs in: a worker (`ccproxy-worker`).

import CCProxyCore
import CCProxyWire

/// Which of the client's results answers which call that claude's function server asks
/// about. Pure: the desk around it moves the bytes.
///
/// The client knows claude's calls by their tool_use ids; the function server sees only the
/// function's name and arguments (MCP has no tool_use id). A call is matched to the first
/// unclaimed offered call with the same name and the same arguments (as JSON values); a
/// call the client never got (`parallel_tool_calls: false` keeps only the first) is answered,
/// once the results have come, with an error that says so, and claude may call it again.
struct FunctionCallBook: Sendable {
    private struct Entry: Sendable {
        var call: ToolCall
        var arguments: JSONValue?
        var result: String?
        var claimed = false
    }

    private var entries: [Entry] = []
    /// Whether the client's results for the latest calls have come. Until then a call that
    /// matches nothing waits: the function server may ask before the worker has read the
    /// call in claude's output.
    private var resultsCame = false

    /// The calls the client got in a `tool_calls` answer.
    mutating func offered(_ calls: [ToolCall]) {
        resultsCame = false
        for call in calls {
            entries.append(Entry(call: call, arguments: try? JSONValue.parse(Array(call.arguments.utf8))))
        }
    }

    /// The client's results, by call id. Results for ids never offered are ignored.
    mutating func answered(_ results: [FollowUp.Result]) {
        resultsCame = true
        for result in results {
            guard let index = entries.firstIndex(where: { $0.call.id == result.callID && $0.result == nil }) else { continue }
            entries[index].result = result.text
        }
    }

    /// What a call of the function server gets.
    enum Claim: Equatable {
        /// The client's result (or why there is none).
        case answer(FunctionCallAnswer)
        /// The client has the call but its result has not come yet.
        case notYet
    }

    /// The answer for `request`, which is claimed by it (each offered call answers once).
    mutating func claim(_ request: FunctionCallRequest) -> Claim {
        guard let index = entries.firstIndex(where: { !$0.claimed && $0.call.name == request.name && $0.arguments == request.arguments })
        else {
            guard resultsCame else { return .notYet }
            return .answer(
                FunctionCallAnswer(
                    text: "This call was not passed to the client (with parallel_tool_calls false it gets one call at a "
                        + "time, or the call was never offered); call the function again if its result is still needed.",
                    isError: true))
        }
        guard let result = entries[index].result else { return .notYet }
        entries[index].claimed = true
        return .answer(FunctionCallAnswer(text: result, isError: false))
    }
}
