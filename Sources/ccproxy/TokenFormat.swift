import CCProxyStore
import Foundation

/// How `ccproxy token` prints tokens.
enum TokenFormat {
    static let headers = ["ID", "NAME", "SCOPES", "RPM", "TPD", "CONCURRENT", "CAPTURE", "CREATED", "EXPIRES", "LAST USED"]

    /// RFC 3339 in UTC, e.g. `2026-11-25T22:54:11Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// A limit as a cell: `-` for 0 (unlimited).
    static func limit(_ value: Int) -> String {
        value > 0 ? String(value) : "-"
    }

    /// The token table, columns separated by two spaces, `-` for unset values, one line per
    /// token; `(no tokens)` when there are none. Ends with a newline.
    static func table(_ records: [TokenRecord]) -> String {
        guard !records.isEmpty else { return "(no tokens)\n" }
        let rows = [headers] + records.map { record in
            [
                record.id,
                record.name,
                record.scopes.isEmpty ? "-" : record.scopes.joined(separator: ","),
                limit(record.rateLimitRPM),
                limit(record.rateLimitTPD),
                limit(record.maxConcurrent),
                record.debugCapture ? "on" : "off",
                timestamp(record.createdAt),
                record.expiresAt.map(timestamp) ?? "-",
                record.lastUsedAt.map(timestamp) ?? "-",
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
}
