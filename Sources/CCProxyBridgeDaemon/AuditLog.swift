// Runs in: ccproxy-bridge (the laptop-side daemon).
import CCProxyPosix
import Foundation

/// `--audit FILE`: one JSON line per RPC, appended after the answer was decided, in the
/// reference's format: `{"method":…,"path":…,"result":"ok"|<error code>,"ts":<RFC 3339 UTC
/// with fractional seconds>}`, keys sorted. The file is created 0600 (its directory 0700
/// if missing) and never truncated.
public final class AuditLog: @unchecked Sendable {
    struct Line: Encodable {
        var method: String
        var path: String
        var result: String
        var ts: String
    }

    private let file: AppendingFile
    private let lock = NSLock()
    private let encoder: JSONEncoder

    public init(path: String) throws(PosixError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try AppendingFile.makeDirectory(directory, mode: 0o700) }
        file = try AppendingFile(path: path)
        encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// Records one RPC; a failed write is reported to the caller, which logs it.
    public func record(method: String, path: String, result: String, at date: Date = Date()) throws {
        let line = Line(method: method, path: path, result: result, ts: Self.timestamp(date))
        var bytes = Array(try encoder.encode(line))
        bytes.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        try file.append(bytes)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
