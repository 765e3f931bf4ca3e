import CCPSystemd
import Glibc
public import Logging

/// A swift-log handler that writes structured entries to the systemd journal with
/// sd_journal_sendv(3): `MESSAGE`, `PRIORITY`, `SYSLOG_IDENTIFIER`, `CODE_FILE`, `CODE_LINE`,
/// `CODE_FUNC`, and one `CCPROXY_<KEY>` field per metadata key (`request_id` →
/// `CCPROXY_REQUEST_ID`), so that `journalctl CCPROXY_REQUEST_ID=…` finds a request across
/// the supervisor and its workers.
///
/// If the journal cannot be reached (no journald, or a stale socket), the entry is written to
/// stderr as one line instead: logging never fails the program.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    private let identifier: String

    /// - Parameter identifier: `SYSLOG_IDENTIFIER`, e.g. `ccproxy` or `ccproxy-worker`.
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
        var fields = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(Self.priority(event.level))",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
        ]
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            fields.append("\(Self.fieldName(key))=\(value)")
        }
        if Self.send(fields) < 0 {
            let extras = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let line = "\(identifier)[\(getpid())] \(event.level): \(event.message)\(extras.isEmpty ? "" : " " + extras)\n"
            let bytes = Array(line.utf8)
            _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    }

    /// syslog priorities: 2 critical … 7 debug.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// `CCPROXY_` + the key in upper case with anything but letters and digits as `_`
    /// (journal field names allow only A–Z, 0–9 and `_`).
    static func fieldName(_ key: String) -> String {
        let mapped = key.uppercased().unicodeScalars.map { scalar -> Character in
            let isLetter = scalar.value >= 65 && scalar.value <= 90
            let isDigit = scalar.value >= 48 && scalar.value <= 57
            return isLetter || isDigit ? Character(scalar) : "_"
        }
        return "CCPROXY_" + String(mapped)
    }

    /// Sends one entry; returns sd_journal_sendv's result (negative errno on failure).
    private static func send(_ fields: [String]) -> Int32 {
        let buffers = fields.map { Array($0.utf8) }
        var vectors: [iovec] = []
        vectors.reserveCapacity(buffers.count)
        return withBuffers(buffers, index: 0, vectors: &vectors)
    }

    /// Keeps every buffer pinned while sd_journal_sendv reads them.
    private static func withBuffers(_ buffers: [[UInt8]], index: Int, vectors: inout [iovec]) -> Int32 {
        guard index < buffers.count else {
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
        return buffers[index].withUnsafeBytes { raw in
            vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress), iov_len: raw.count))
            return withBuffers(buffers, index: index + 1, vectors: &vectors)
        }
    }
}
