/// Why no configuration could be produced: every problem found, in a deterministic order.
///
/// `description` is what an operator reads: `config invalid:` followed by one
/// `  - <problem>` line per problem for `.invalid`, or the single problem on one line when the
/// file could not be found or read.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, broadly.
    public enum Kind: Sendable, Equatable {
        /// No configuration file was found, or an explicitly named one does not exist.
        case notFound
        /// The file exists but could not be read.
        case unreadable
        /// The file was read but its content (or an environment override) is not valid.
        case invalid
    }

    /// What went wrong, broadly.
    public var kind: Kind
    /// One human-readable sentence per problem, never empty.
    public var problems: [String]

    public init(kind: Kind, problems: [String]) {
        self.kind = kind
        self.problems = problems
    }

    /// An `.invalid` error with the given problems.
    public init(invalid problems: [String]) {
        self.init(kind: .invalid, problems: problems)
    }

    public var description: String {
        switch kind {
        case .notFound, .unreadable:
            return problems.joined(separator: "; ")
        case .invalid:
            return (["config invalid:"] + problems.map { "  - \($0)" }).joined(separator: "\n")
        }
    }
}
