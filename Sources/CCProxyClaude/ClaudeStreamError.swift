/// Why claude's stdout could not be read as stream-json.
public enum ClaudeStreamError: Error, Sendable, Equatable {
    /// A line grew past `limit` bytes before its newline arrived.
    case lineTooLong(limit: Int)
}
