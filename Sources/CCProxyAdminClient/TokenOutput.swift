// How tokens are printed by `ccproxy token …` and `ccproxyctl token …` alike, whether the
// answer came from a running server or from the database: one renderer, so both print the
// same. Tables and sentences for people, JSON (Codable) for scripts.

public import CCProxyWire
import Foundation

/// Renders ``TokenReport``s.
public enum TokenOutput {
    static let headers = ["ID", "NAME", "SCOPES", "RPM", "TPD", "CONCURRENT", "CAPTURE", "CREATED", "EXPIRES", "LAST USED"]

    /// RFC 3339 in UTC, e.g. `2026-11-25T22:54:11Z`.
    public static func timestamp(_ unixSeconds: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(unixSeconds)).formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// A limit as a cell: `-` for 0 (unlimited).
    static func limit(_ value: Int64) -> String {
        value > 0 ? String(value) : "-"
    }

    /// The token table, columns separated by two spaces, `-` for unset values, one line per
    /// token; `(no tokens)` when there are none. Ends with a newline.
    public static func table(_ reports: [TokenReport]) -> String {
        guard !reports.isEmpty else { return "(no tokens)\n" }
        let rows = [headers] + reports.map { report in
            [
                report.id,
                report.name,
                report.scopes.isEmpty ? "-" : report.scopes.joined(separator: ","),
                limit(report.rpm),
                limit(report.tpd),
                limit(report.maxConcurrent),
                report.debugCapture ? "on" : "off",
                timestamp(report.createdAt),
                report.expiresAt.map(timestamp) ?? "-",
                report.lastUsedAt.map(timestamp) ?? "-",
            ]
        }
        var widths = [Int](repeating: 0, count: headers.count)
        for row in rows {
            for (column, cell) in row.enumerated() {
                widths[column] = max(widths[column], cell.count)
            }
        }
        var out = ""
        for row in rows {
            var line = ""
            for (column, cell) in row.enumerated() {
                let isLast = column == row.count - 1
                line += isLast ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }
            out += line + "\n"
        }
        return out
    }

    /// After `create`: the token, then the bearer alone on the last line.
    public static func created(_ report: TokenReport, bearer: String) -> String {
        var lines = ["Created token \(report.name) (\(report.id))", "  scopes:  \(report.scopes.joined(separator: ", "))"]
        if let principal = report.principal { lines.append("  principal: \(principal)") }
        if let expiresAt = report.expiresAt { lines.append("  expires: \(timestamp(expiresAt))") }
        lines += ["", "Bearer (will not be shown again):", bearer]
        return lines.joined(separator: "\n") + "\n"
    }

    /// After `rotate`: the bearer alone on the last line.
    public static func rotated(_ report: TokenReport, bearer: String) -> String {
        "Rotated token \(report.name) (\(report.id)).\nNew bearer (will not be shown again):\n\(bearer)\n"
    }

    public static func revoked(_ report: TokenReport) -> String {
        "Revoked token \(report.name) (\(report.id)).\n"
    }

    public static func updated(_ report: TokenReport) -> String {
        var lines = [
            "Updated token \(report.name) (\(report.id)):",
            "  scopes: \(report.scopes.joined(separator: ", "))",
            "  rpm: \(report.rpm), tpd: \(report.tpd), max concurrent: \(report.maxConcurrent)",
            "  verbosity: \(report.defaultVerbosity ?? "default"), debug capture: \(report.debugCapture ? "on" : "off")",
        ]
        if let principal = report.principal { lines.append("  principal: \(principal)") }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - JSON

    /// One token in `--json`; absent values are `null` (never missing keys), times RFC 3339.
    struct Entry: Encodable {
        var report: TokenReport

        enum CodingKeys: String, CodingKey {
            case id, name, scopes, rpm, tpd, principal
            case maxConcurrent = "max_concurrent"
            case debugCapture = "debug_capture"
            case defaultVerbosity = "default_verbosity"
            case createdAt = "created_at"
            case expiresAt = "expires_at"
            case lastUsedAt = "last_used_at"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(report.id, forKey: .id)
            try c.encode(report.name, forKey: .name)
            try c.encode(report.scopes, forKey: .scopes)
            try c.encode(report.rpm, forKey: .rpm)
            try c.encode(report.tpd, forKey: .tpd)
            try c.encode(report.maxConcurrent, forKey: .maxConcurrent)
            try c.encode(report.debugCapture, forKey: .debugCapture)
            try c.encode(report.defaultVerbosity, forKey: .defaultVerbosity)
            try c.encode(report.principal, forKey: .principal)
            try c.encode(TokenOutput.timestamp(report.createdAt), forKey: .createdAt)
            try c.encode(report.expiresAt.map(TokenOutput.timestamp), forKey: .expiresAt)
            try c.encode(report.lastUsedAt.map(TokenOutput.timestamp), forKey: .lastUsedAt)
        }
    }

    /// `{"token": {...}, "bearer": "ccp_…"}` after create/rotate (bearer null otherwise).
    struct Outcome: Encodable {
        var token: Entry
        var bearer: String?

        enum CodingKeys: String, CodingKey { case token, bearer }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(token, forKey: .token)
            try c.encode(bearer, forKey: .bearer)
        }
    }

    static func encoded(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    /// Every token as a JSON array, one line.
    public static func json(_ reports: [TokenReport]) throws -> String {
        try encoded(reports.map(Entry.init(report:)))
    }

    /// One token (and its new bearer, if any) as a JSON object, one line.
    public static func json(_ report: TokenReport, bearer: String? = nil) throws -> String {
        try encoded(Outcome(token: Entry(report: report), bearer: bearer))
    }
}
