/// A `ccproxy token` failure: the message is printed to stderr and the exit status is 1.
struct TokenCommandError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }

    /// Runs `body`, turning a typed library error into a command error with its message.
    static func wrapping<T, E: Error & CustomStringConvertible>(_ body: () throws(E) -> T) throws(TokenCommandError) -> T {
        do {
            return try body()
        } catch {
            throw TokenCommandError(error.description)
        }
    }
}
