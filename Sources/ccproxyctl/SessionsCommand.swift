// ccproxyctl sessions: the running server's persistent sessions.

import ArgumentParser
import CCProxyAdminClient
import CCProxyWire
import Foundation

struct Sessions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List or end persistent sessions.",
        subcommands: [SessionsList.self, SessionsEnd.self],
        defaultSubcommand: SessionsList.self)
}

struct SessionsList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show every persistent session, most recently used first.",
        discussion: """
            OWNER is `principal:<p>` for tokens with a principal, else `token:<id>`. A session \
            is BUSY while a turn runs on it. Idle sessions are evicted after session_ttl.
            """)

    @OptionGroup var options: SocketOptions

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        guard case .sessions(let reports) = try AdminCall.perform(.sessions, socketPath: options.path) else {
            throw AdminCall.unexpected("sessions list")
        }
        print(json ? try SessionsFormatter.json(reports) : SessionsFormatter.table(reports))
    }
}

struct SessionsEnd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "end",
        abstract: "End a persistent session: its registry entry and its own directory are removed.",
        discussion: """
            The next request with that session id starts a new conversation. A session a turn \
            is using is not ended (exit status 1); try again when the turn is over. Exit status \
            0 when at least one session was ended, 1 otherwise.
            """)

    @OptionGroup var options: SocketOptions

    @Argument(help: "The client's session id.")
    var name: String

    @Option(name: .long, help: "Only the session of this owner (`principal:<p>` or `token:<id>`); default: every owner's.")
    var owner: String?

    func run() throws {
        guard case .sessionsEnded(let count, let busy) = try AdminCall.perform(
            .endSession(owner: owner, name: name), socketPath: options.path)
        else {
            throw AdminCall.unexpected("sessions end")
        }
        for busyOwner in busy {
            FileHandle.standardError.write(Data("ccproxyctl: session \(name) of \(busyOwner) is in use; not ended\n".utf8))
        }
        print("ended \(count) session\(count == 1 ? "" : "s")")
        if count == 0 { throw ExitCode(1) }
    }
}

/// One admin request with the usual error handling: an unreachable server or an `error`
/// reply is printed and exits 1.
enum AdminCall {
    static func perform(_ request: AdminRequest, socketPath: String) throws -> AdminReply {
        let reply: AdminReply
        do {
            reply = try AdminClient.request(request, socketPath: socketPath)
        } catch {
            FileHandle.standardError.write(Data("ccproxyctl: cannot reach the server at \(socketPath): \(error)\n".utf8))
            throw ExitCode(1)
        }
        if case .error(let message) = reply {
            FileHandle.standardError.write(Data("ccproxyctl: \(message)\n".utf8))
            throw ExitCode(1)
        }
        return reply
    }

    static func unexpected(_ what: String) -> ExitCode {
        FileHandle.standardError.write(Data("ccproxyctl: unexpected reply to \(what)\n".utf8))
        return ExitCode(1)
    }
}

/// Renders session reports.
enum SessionsFormatter {
    private struct Entry: Encodable {
        var owner: String
        var session: String
        var claudeSessionID: String
        var workspace: String?
        var started: Bool
        var busy: Bool
        var createdAt: Int64
        var lastUsedAt: Int64

        enum CodingKeys: String, CodingKey {
            case owner, session, workspace, started, busy
            case claudeSessionID = "claude_session_id"
            case createdAt = "created_at"
            case lastUsedAt = "last_used_at"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(owner, forKey: .owner)
            try c.encode(session, forKey: .session)
            try c.encode(claudeSessionID, forKey: .claudeSessionID)
            try c.encode(workspace, forKey: .workspace)  // null when unbound
            try c.encode(started, forKey: .started)
            try c.encode(busy, forKey: .busy)
            try c.encode(createdAt, forKey: .createdAt)
            try c.encode(lastUsedAt, forKey: .lastUsedAt)
        }
    }

    static func json(_ reports: [SessionReport]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let entries = reports.map {
            Entry(
                owner: $0.owner, session: $0.name, claudeSessionID: $0.claudeSessionID, workspace: $0.workspace,
                started: $0.started, busy: $0.busy, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt)
        }
        return String(decoding: try encoder.encode(entries), as: UTF8.self)
    }

    static func table(_ reports: [SessionReport]) -> String {
        guard !reports.isEmpty else { return "no sessions" }
        let rows = reports.map {
            [$0.owner, $0.name, $0.claudeSessionID, $0.workspace ?? "-", $0.busy ? "busy" : "idle", timestamp($0.lastUsedAt)]
        }
        return TextTable.render(header: ["OWNER", "SESSION", "CLAUDE SESSION", "WORKSPACE", "STATE", "LAST USED"], rows: rows)
            .joined(separator: "\n")
    }

    private static func timestamp(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
