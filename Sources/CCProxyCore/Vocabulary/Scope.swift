/// One permission a token may hold.
///
/// | scope | allows |
/// |---|---|
/// | `chat` | the `/v1/*` API |
/// | `session:persistent` | persistent sessions |
/// | `admin` | reserved |
/// | `workspace:<name>` | targeting workspace `<name>` |
/// | `workspace:*` | targeting any workspace |
/// | `bridge:connect` | connecting a bridge on `/bridge` |
public enum Scope: Sendable, Hashable, CustomStringConvertible {
    case chat
    case sessionPersistent
    case admin
    case anyWorkspace
    case workspace(String)
    case bridgeConnect

    /// The scope named by `text` exactly (no trimming), or nil for an unknown scope or an
    /// empty workspace name.
    public init?(_ text: String) {
        switch text {
        case "chat": self = .chat
        case "session:persistent": self = .sessionPersistent
        case "admin": self = .admin
        case "workspace:*": self = .anyWorkspace
        case "bridge:connect": self = .bridgeConnect
        default:
            guard text.hasPrefix(Self.workspacePrefix), text.count > Self.workspacePrefix.count else { return nil }
            self = .workspace(String(text.dropFirst(Self.workspacePrefix.count)))
        }
    }

    /// The scope as stored and shown, e.g. `workspace:docs`.
    public var description: String {
        switch self {
        case .chat: "chat"
        case .sessionPersistent: "session:persistent"
        case .admin: "admin"
        case .anyWorkspace: "workspace:*"
        case .workspace(let name): Self.workspacePrefix + name
        case .bridgeConnect: "bridge:connect"
        }
    }

    public static let workspacePrefix = "workspace:"
}
