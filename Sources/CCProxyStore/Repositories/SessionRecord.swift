#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One persistent session: a client's name for a conversation, scoped to its owner, and the
/// claude session that holds the conversation.
public struct SessionRecord: Sendable, Equatable {
    /// Who the session belongs to (`TokenGrant.owner`: a principal, or a token).
    public var owner: String
    /// The client's session id (`X-CC-Session`, body `session_id`, or the model suffix).
    public var name: String
    /// The UUID claude knows the conversation by (`--session-id`, then `--resume`), chosen
    /// by the server; unique across owners.
    public var claudeSessionID: String
    /// The configured workspace the session was created in, or nil for the session's own
    /// directory. Fixed at creation: claude keeps a conversation per working directory.
    public var workspace: String?
    /// Whether a turn has created the claude session, so that the next one resumes it.
    public var started: Bool
    public var createdAt: Date
    public var lastUsedAt: Date

    public init(
        owner: String, name: String, claudeSessionID: String, workspace: String?, started: Bool, createdAt: Date,
        lastUsedAt: Date
    ) {
        self.owner = owner
        self.name = name
        self.claudeSessionID = claudeSessionID
        self.workspace = workspace
        self.started = started
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }
}
