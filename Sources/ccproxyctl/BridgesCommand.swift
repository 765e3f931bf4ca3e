// ccproxyctl bridges: the running server's connected bridges.

import ArgumentParser
import CCProxyAdminClient
import CCProxyWire
import Foundation

struct Bridges: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridges",
        abstract: "Show the connected bridges (ccproxy-bridge daemons), oldest first.",
        discussion: """
            One bridge per principal. PID is the bridge worker holding the websocket; ROOT, \
            WRITE and EXEC are what the daemon said in its hello (shown, trusted for nothing); \
            MOUNT is where its directory is mounted on the server ("-" while it is not).
            """)

    @OptionGroup var options: SocketOptions

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        guard case .bridges(let reports) = try AdminCall.perform(.bridgeList, socketPath: options.path) else {
            throw AdminCall.unexpected("bridges")
        }
        print(json ? try BridgesFormatter.json(reports) : BridgesFormatter.table(reports))
    }
}

/// Renders bridge reports.
enum BridgesFormatter {
    private struct Entry: Encodable {
        var bridge: UInt64
        var principal: String
        var pid: Int32
        var connectedAt: Int64
        var daemonVersion: String
        var root: String
        var allowWrite: Bool
        var allowExec: Bool
        var mountPoint: String?
        var rpcs: UInt64

        enum CodingKeys: String, CodingKey {
            case bridge, principal, pid, root, rpcs
            case connectedAt = "connected_at"
            case daemonVersion = "daemon_version"
            case allowWrite = "allow_write"
            case allowExec = "allow_exec"
            case mountPoint = "mount_point"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(bridge, forKey: .bridge)
            try c.encode(principal, forKey: .principal)
            try c.encode(pid, forKey: .pid)
            try c.encode(connectedAt, forKey: .connectedAt)
            try c.encode(daemonVersion, forKey: .daemonVersion)
            try c.encode(root, forKey: .root)
            try c.encode(allowWrite, forKey: .allowWrite)
            try c.encode(allowExec, forKey: .allowExec)
            try c.encode(mountPoint, forKey: .mountPoint)  // null while not mounted
            try c.encode(rpcs, forKey: .rpcs)
        }
    }

    static func json(_ reports: [BridgeReport]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let entries = reports.map {
            Entry(
                bridge: $0.bridgeID, principal: $0.principal, pid: $0.workerPID, connectedAt: $0.connectedAt,
                daemonVersion: $0.daemonVersion, root: $0.root, allowWrite: $0.allowWrite, allowExec: $0.allowExec,
                mountPoint: $0.mountPoint, rpcs: $0.rpcCount)
        }
        return String(decoding: try encoder.encode(entries), as: UTF8.self)
    }

    static func table(_ reports: [BridgeReport]) -> String {
        guard !reports.isEmpty else { return "no bridges" }
        let rows = reports.map {
            [
                $0.principal, timestamp($0.connectedAt), "\($0.workerPID)", $0.root, $0.allowWrite ? "yes" : "no",
                $0.allowExec ? "yes" : "no", $0.mountPoint ?? "-", "\($0.rpcCount)",
            ]
        }
        return TextTable.render(header: ["PRINCIPAL", "SINCE", "PID", "ROOT", "WRITE", "EXEC", "MOUNT", "RPCS"], rows: rows)
            .joined(separator: "\n")
    }

    private static func timestamp(_ seconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
