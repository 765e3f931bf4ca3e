/// One persistent session as the supervisor reports it to `ccproxyctl sessions list`.
public struct SessionReport: Sendable, Equatable {
    /// `principal:<p>` or `token:<id>`.
    public var owner: String
    /// The client's session id.
    public var name: String
    public var claudeSessionID: String
    /// The configured workspace it is bound to; nil for its own directory.
    public var workspace: String?
    /// Whether claude holds the conversation (the next turn resumes it).
    public var started: Bool
    /// Unix seconds.
    public var createdAt: Int64
    /// Unix seconds of the last turn's end.
    public var lastUsedAt: Int64
    /// Whether a turn holds it right now.
    public var busy: Bool

    public init(
        owner: String, name: String, claudeSessionID: String, workspace: String?, started: Bool, createdAt: Int64,
        lastUsedAt: Int64, busy: Bool
    ) {
        self.owner = owner
        self.name = name
        self.claudeSessionID = claudeSessionID
        self.workspace = workspace
        self.started = started
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.busy = busy
    }

    /// The fewest bytes one report takes on the wire (three empty strings, an absent
    /// optional, two flags, two integers): counts a frame cannot hold are refused early.
    static let minimumEncodedBytes = 3 * 4 + 1 + 2 + 16

    func encode(into w: inout WireWriter) {
        w.string(owner)
        w.string(name)
        w.string(claudeSessionID)
        w.optionalString(workspace)
        w.bool(started)
        w.u64(UInt64(bitPattern: createdAt))
        w.u64(UInt64(bitPattern: lastUsedAt))
        w.bool(busy)
    }

    static func decode(from r: inout WireReader) throws(WireError) -> SessionReport {
        SessionReport(
            owner: try r.string("owner"), name: try r.string("name"), claudeSessionID: try r.string("claudeSessionID"),
            workspace: try r.optionalString("workspace"), started: try r.bool("started"),
            createdAt: Int64(bitPattern: try r.u64()), lastUsedAt: Int64(bitPattern: try r.u64()), busy: try r.bool("busy"))
    }
}
