/// A failure of a repository, independent of the database behind it.
///
/// Repositories (``TokenRepository``, ``UsageRepository``) throw this type so that callers
/// never depend on one backend; the SQLite implementations map every ``SQLiteError`` to it.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure it was, as far as a caller can act on it.
    public enum Kind: Sendable, Equatable {
        /// A uniqueness or integrity constraint refused the write (e.g. a duplicate prefix).
        case constraint
        /// The database stayed locked by another process for longer than the busy timeout.
        case busy
        /// Anything else: I/O, corruption, a programming error in SQL.
        case other
    }

    /// The kind of failure.
    public var kind: Kind
    /// A human-readable explanation from the backend.
    public var message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// Maps a SQLite failure.
    public init(_ error: SQLiteError) {
        if error.isConstraintViolation {
            self.kind = .constraint
        } else if error.isBusy {
            self.kind = .busy
        } else {
            self.kind = .other
        }
        self.message = error.description
    }

    public var description: String { message }
}
