import CCProxyCore

/// How one turn uses claude's own session storage.
///
/// - `stateless`: `--no-session-persistence`, so nothing of the turn stays in the claude home.
/// - `start`: the first turn of a persistent session, `--session-id <uuid>` (the server chose
///   the uuid); claude gets the whole conversation.
/// - `resume`: a later turn, `--resume <uuid>`; claude already holds the earlier turns and
///   gets only the latest user message (`TurnPlan.resumeStandardInput`), never a replay.
public enum ClaudeSessionMode: Sendable, Equatable {
    case stateless
    case start(claudeSessionID: String)
    case resume(claudeSessionID: String)

    /// The flags to append to `TurnPlan.arguments`.
    public var arguments: [String] {
        switch self {
        case .stateless: ["--no-session-persistence"]
        case .start(let id): ["--session-id", id]
        case .resume(let id): ["--resume", id]
        }
    }

    /// What claude reads on stdin for `plan` in this mode.
    public func standardInput(_ plan: TurnPlan) -> [UInt8] {
        if case .resume = self { return plan.resumeStandardInput }
        return plan.standardInput
    }

    /// The mode to retry with when claude refuses this one because its session storage
    /// disagrees with the registry (see `SessionMismatch`): a session claude no longer has
    /// starts again under the same id; a session it already has is resumed.
    public var retry: ClaudeSessionMode? {
        switch self {
        case .stateless: nil
        case .start(let id): .resume(claudeSessionID: id)
        case .resume(let id): .start(claudeSessionID: id)
        }
    }
}

/// claude refused a session flag: its storage disagrees with the session registry.
public enum SessionMismatch: Sendable, Equatable {
    /// `--resume` of a session claude does not have (its files are gone): claude prints a
    /// `result` with `is_error` and "No conversation found with session ID: …".
    case missing
    /// `--session-id` of a session claude already has: claude prints "Session ID … is
    /// already in use." on stderr and exits before any output.
    case alreadyInUse

    /// Recognises a mismatch from what a turn that showed nothing produced, for a turn run
    /// in `mode`: its `result` (when there is one) and claude's stderr tail.
    public static func detect(mode: ClaudeSessionMode, result: ClaudeResult?, stderr: String) -> SessionMismatch? {
        switch mode {
        case .stateless:
            return nil
        case .resume:
            guard let result, result.isError else { return nil }
            return result.errors.contains { $0.hasPrefix("No conversation found with session ID") } ? .missing : nil
        case .start:
            guard result == nil else { return nil }
            return stderr.contains("is already in use") ? .alreadyInUse : nil
        }
    }
}
