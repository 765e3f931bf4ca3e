import Glibc
import Logging

/// Chooses where a process logs and bootstraps swift-log once (call it first in `main`).
///
/// - journald, structured (`JournalLogHandler`), when stderr *is* the journal (systemd sets
///   `JOURNAL_STREAM` to stderr's `device:inode`), or when `CCPROXY_LOG_FORMAT=journal`;
/// - otherwise (or when journald's socket is missing) one line per entry on stderr
///   (`CCPROXY_LOG_FORMAT=text` forces this).
///
/// The level comes from `CCPROXY_LOG_LEVEL` (`trace` … `critical`, default `info`).
public enum LogSetup {
    public static func bootstrap(identifier: String, environment: [String: String]) {
        let level = environment["CCPROXY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let journal = useJournal(environment: environment)
        LoggingSystem.bootstrap { label in
            if journal {
                var handler = JournalLogHandler(identifier: identifier)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }

    static func useJournal(environment: [String: String]) -> Bool {
        // sd_journal_sendv reports success when there is no journal socket at all (it drops
        // the entry), so never choose the journal unless journald is there.
        guard access("/run/systemd/journal/socket", W_OK) == 0 else { return false }
        switch environment["CCPROXY_LOG_FORMAT"] {
        case "journal": return true
        case "text": return false
        default: break
        }
        guard let stream = environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
