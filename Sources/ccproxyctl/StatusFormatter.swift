// ccproxyctl status: how a status report is printed, for people (a table) and for scripts
// (JSON through Codable, stable snake_case keys).

import CCProxyWire
import Foundation

/// Renders a ``StatusReport``.
enum StatusFormatter {
    /// One worker in `--json`. Absent values are `null`, not missing keys, so that scripts
    /// can index without checking.
    private struct Worker: Encodable {
        var slot: UInt32
        var pid: Int32
        var state: String
        var served: UInt64
        var generation: UInt32
        var requestID: String?
        var token: String?

        enum CodingKeys: String, CodingKey {
            case slot, pid, state, served, generation, token
            case requestID = "request_id"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(slot, forKey: .slot)
            try c.encode(pid, forKey: .pid)
            try c.encode(state, forKey: .state)
            try c.encode(served, forKey: .served)
            try c.encode(generation, forKey: .generation)
            try c.encode(requestID, forKey: .requestID)
            try c.encode(token, forKey: .token)
        }
    }

    /// The whole report in `--json`.
    private struct Report: Encodable {
        var supervisorPID: Int32
        var listening: String
        var draining: Bool
        var uptimeSeconds: UInt64
        var served: UInt64
        var refused: UInt64
        var queued: UInt32
        var idle: Int
        var busy: Int
        var keepAliveIdle: UInt32
        var generation: UInt32
        var respawnHalted: String?
        var workers: [Worker]

        enum CodingKeys: String, CodingKey {
            case listening, draining, served, refused, queued, idle, busy, generation, workers
            case supervisorPID = "supervisor_pid"
            case uptimeSeconds = "uptime_seconds"
            case keepAliveIdle = "keepalive_idle"
            case respawnHalted = "respawn_halted"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(supervisorPID, forKey: .supervisorPID)
            try c.encode(listening, forKey: .listening)
            try c.encode(draining, forKey: .draining)
            try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
            try c.encode(served, forKey: .served)
            try c.encode(refused, forKey: .refused)
            try c.encode(queued, forKey: .queued)
            try c.encode(idle, forKey: .idle)
            try c.encode(busy, forKey: .busy)
            try c.encode(keepAliveIdle, forKey: .keepAliveIdle)
            try c.encode(generation, forKey: .generation)
            try c.encode(respawnHalted, forKey: .respawnHalted)  // null while respawning works
            try c.encode(workers, forKey: .workers)
        }
    }

    static func json(_ report: StatusReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let value = Report(
            supervisorPID: report.supervisorPID, listening: report.listening, draining: report.draining,
            uptimeSeconds: report.uptimeSeconds, served: report.served, refused: report.refused, queued: report.queued,
            idle: report.workers.filter { $0.state == "idle" }.count, busy: report.workers.filter { $0.state == "busy" }.count,
            keepAliveIdle: report.keepAliveIdle, generation: report.generation, respawnHalted: report.respawnHalted,
            workers: report.workers.map {
                Worker(
                    slot: $0.slot, pid: $0.pid, state: $0.state, served: $0.served, generation: $0.generation,
                    requestID: $0.requestID, token: $0.tokenName)
            })
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func table(_ report: StatusReport) -> String {
        let idle = report.workers.filter { $0.state == "idle" }.count
        let busy = report.workers.filter { $0.state == "busy" }.count
        var lines = [
            "supervisor pid \(report.supervisorPID), listening on \(report.listening)\(report.draining ? ", draining" : ""), up \(duration(report.uptimeSeconds))",
            "workers: \(report.workers.count) (\(idle) idle, \(busy) busy), queued connections: \(report.queued), idle keep-alive connections: \(report.keepAliveIdle)",
            "served since start: \(report.served), refused (503) since start: \(report.refused), configuration generation \(report.generation)"
                + (report.respawnHalted.map { ", RESPAWNING HALTED: \($0)" } ?? ""),
            "",
        ]
        let header = ["SLOT", "PID", "STATE", "SERVED", "REQUEST", "TOKEN"]
        let rows = report.workers.map {
            [String($0.slot), String($0.pid), $0.state, String($0.served), $0.requestID ?? "-", $0.tokenName ?? "-"]
        }
        lines += TextTable.render(header: header, rows: rows)
        return lines.joined(separator: "\n")
    }

    /// `3d 4h 5m 6s`, leading zero units left out.
    static func duration(_ seconds: UInt64) -> String {
        let parts: [(UInt64, String)] = [(seconds / 86_400, "d"), (seconds / 3600 % 24, "h"), (seconds / 60 % 60, "m")]
        let shown = parts.drop { $0.0 == 0 }.map { "\($0.0)\($0.1)" }
        return (shown + ["\(seconds % 60)s"]).joined(separator: " ")
    }
}

/// Columns padded to their widest cell plus two spaces; the last column is not padded.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
            }.joined()
        }
    }
}
