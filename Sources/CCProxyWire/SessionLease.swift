/// What a worker learns when the supervisor leases it a persistent session for one turn.
///
/// The lease lasts until the worker sends `releaseSession` or its connection ends; while it
/// is held, no other turn runs on the session.
public struct SessionLease: Sendable, Equatable {
    /// The UUID claude knows the conversation by.
    public var claudeSessionID: String
    /// Whether an earlier turn created the claude session: `--resume` it, else start it with
    /// `--session-id`.
    public var resume: Bool
    /// The configured workspace the session is bound to, or nil for the session's own
    /// directory (`<state>/sessions/<claudeSessionID>/`).
    public var workspace: String?

    public init(claudeSessionID: String, resume: Bool, workspace: String?) {
        self.claudeSessionID = claudeSessionID
        self.resume = resume
        self.workspace = workspace
    }

    func encode(into w: inout WireWriter) {
        w.string(claudeSessionID)
        w.bool(resume)
        w.optionalString(workspace)
    }

    static func decode(from r: inout WireReader) throws(WireError) -> SessionLease {
        SessionLease(
            claudeSessionID: try r.string("claudeSessionID"), resume: try r.bool("resume"),
            workspace: try r.optionalString("workspace"))
    }
}
