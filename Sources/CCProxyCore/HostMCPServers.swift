import Foundation

/// The operator's own MCP servers, offered to every turn.
///
/// claude keeps user-scoped MCP servers in `mcpServers` of `~/.claude.json`, a file it also
/// rewrites on every run (start counts, per-project history). Bound read-only into a turn's
/// sandbox claude could not start; copied into the owner's home it would be the owner's to
/// change and would leak one owner's history to another. So the supervisor extracts only
/// the server definitions, at start and on reload, and each turn gets them as a private,
/// read-only `--mcp-config` file: the host's servers run in every turn, and no turn can alter
/// them. Project-scoped servers (`projects.<path>.mcpServers`, a workspace's `.mcp.json`)
/// are left to claude, which reads them for its working directory as usual.
public enum HostMCPServers {
    /// Why the operator's servers were not taken.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        /// `~/.claude.json` is not a JSON object.
        case notAnObject
        /// `mcpServers` is there but not an object of objects.
        case malformedServers
        /// The definitions exceed `Limits.maxHostMCPConfigBytes`.
        case tooLarge(Int)

        public var description: String {
            switch self {
            case .notAnObject: "it is not a JSON object"
            case .malformedServers: "its mcpServers is not an object of server definitions"
            case .tooLarge(let bytes): "its MCP server definitions take \(bytes) bytes (at most \(Limits.maxHostMCPConfigBytes))"
            }
        }
    }

    /// The `--mcp-config` document (`{"mcpServers": {...}}`) for the servers defined in the
    /// contents of `~/.claude.json`, or nil when it defines none.
    public static func configuration(fromClaudeJSON contents: Data) throws(Problem) -> String? {
        guard let root = (try? JSONSerialization.jsonObject(with: contents)) as? [String: Any] else { throw .notAnObject }
        guard let servers = root["mcpServers"] else { return nil }
        guard let definitions = servers as? [String: Any], definitions.values.allSatisfy({ $0 is [String: Any] }) else {
            throw .malformedServers
        }
        guard !definitions.isEmpty else { return nil }
        guard let document = try? JSONSerialization.data(withJSONObject: ["mcpServers": definitions], options: [.sortedKeys])
        else { throw .malformedServers }
        guard document.count <= Limits.maxHostMCPConfigBytes else { throw .tooLarge(document.count) }
        return String(decoding: document, as: UTF8.self)
    }
}
