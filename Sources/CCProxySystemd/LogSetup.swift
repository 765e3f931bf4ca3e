import Glibc
import Logging

/// Chooses where a process logs and bootstraps swift-log once (call it first in `main`).
///
/// `CCPROXY_LOG_FORMAT`:
/// - `json`: one JSON object per line on stderr (`JSONLogHandler`), for containers;
/// - `text`: one human-readable line per entry on stderr;
/// - `journal`: structured journald entries (`JournalLogHandler`) when journald is there;
/// - unset (or anything else): journald when stderr *is* the journal (systemd sets
///   `JOURNAL_STREAM` to stderr's `device:inode`), else text.
///
/// The level comes from `CCPROXY_LOG_LEVEL` (`trace` … `critical`, default `info`).
public enum LogSetup {
    /// Where log entries go.
    public enum Format: Sendable, Equatable {
        case journal
        case json
        case text
    }

    public static func bootstrap(identifier: String, environment: [String: String]) {
        let level = environment["CCPROXY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let format = format(environment: environment)
        LoggingSystem.bootstrap { label in
            switch format {
            case .journal:
                var handler = JournalLogHandler(identifier: identifier)
                handler.logLevel = level
                return handler
            case .json:
                var handler = JSONLogHandler(identifier: identifier)
                handler.logLevel = level
                return handler
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }

    /// The format `bootstrap` picks for this environment.
    public static func format(environment: [String: String]) -> Format {
        switch environment["CCPROXY_LOG_FORMAT"] {
        case "json": return .json
        case "text": return .text
        case "journal": return journalAvailable ? .journal : .text
        default: return stderrIsJournal(environment: environment) ? .journal : .text
        }
    }

    /// Whether stderr is connected to journald (and journald is there): then nothing printed
    /// raw on stderr stays private, it is in the journal for every reader of it.
    public static func stderrIsJournal(environment: [String: String]) -> Bool {
        guard journalAvailable, let stream = environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }

    /// sd_journal_sendv reports success when there is no journal socket at all (it drops
    /// the entry), so the journal is chosen only when journald's socket is there.
    static var journalAvailable: Bool { access("/run/systemd/journal/socket", W_OK) == 0 }
}
