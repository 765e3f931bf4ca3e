import Foundation
import Glibc
public import Logging

/// A swift-log handler that writes one JSON object per line on stderr (for containers and
/// log shippers): `timestamp` (ISO 8601, UTC, milliseconds), `level`, `message`, `process`
/// (the syslog identifier), `pid`, `source` (`file:line`), and every metadata key as a
/// string. Keys are sorted, so lines are stable and diffable; the encoder is Foundation's
/// `JSONEncoder`, so any message or metadata value is escaped correctly.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let identifier: String

    /// Field names the handler sets itself; metadata with these names is prefixed `meta_`.
    static let reserved: Set<String> = ["timestamp", "level", "message", "process", "pid", "source"]

    public init(identifier: String) {
        self.identifier = identifier
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let line = Self.line(
            timestamp: Date(), level: event.level, message: "\(event.message)", identifier: identifier, pid: getpid(),
            file: event.file, lineNumber: event.line, metadata: merged)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// One encoded line, newline-terminated (pure, for tests).
    static func line(
        timestamp: Date, level: Logger.Level, message: String, identifier: String, pid: Int32, file: String,
        lineNumber: UInt, metadata: Logger.Metadata
    ) -> [UInt8] {
        var object: [String: String] = [:]
        for (key, value) in metadata {
            object[reserved.contains(key) ? "meta_" + key : key] = "\(value)"
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        object["timestamp"] = formatter.string(from: timestamp)
        object["level"] = level.rawValue
        object["message"] = message
        object["process"] = identifier
        object["pid"] = String(pid)
        object["source"] = "\(file):\(lineNumber)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(object) else { return Array("{\"message\":\"unencodable log entry\"}\n".utf8) }
        return Array(data) + [0x0A]
    }
}
