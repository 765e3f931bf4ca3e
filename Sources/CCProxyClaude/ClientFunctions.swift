import CCProxyCore

/// How the client's functions reach claude: as the tools of an MCP server the worker adds to
/// the turn, named `ccproxy` (reserved: an operator's MCP server of that name would be
/// shadowed for turns with functions), so claude calls them `mcp__ccproxy__<name>`.
public enum ClientFunctions {
    /// The MCP server's name in the turn's `--mcp-config`.
    public static let serverName = "ccproxy"
    /// The prefix of the client's functions among claude's tools.
    public static let toolPrefix = "mcp__" + serverName + "__"

    /// The system prompt text that tells claude what the functions are and what `tool_choice`
    /// asks; nil when no function is offered.
    ///
    /// claude's own tools (Bash, Read, …) stay available; the instruction only says that
    /// calling a client function hands the turn back to the client.
    static func instructions(functions: [FunctionTool], choice: ToolChoice, parallel: Bool) -> String? {
        guard !functions.isEmpty else { return nil }
        var lines = [
            "The tools named \(toolPrefix)<name> are functions of the client application, which runs them "
                + "itself: calling one ends your turn, and the application answers with the result in the next message."
        ]
        switch choice {
        case .required:
            lines.append("You must call one of the \(toolPrefix)<name> tools in this turn.")
        case .function(let name):
            lines.append("You must call the tool \(toolPrefix)\(name) in this turn.")
        case .auto, .none:
            break
        }
        if !parallel { lines.append("Call at most one of the \(toolPrefix)<name> tools at a time.") }
        return lines.joined(separator: "\n")
    }
}
