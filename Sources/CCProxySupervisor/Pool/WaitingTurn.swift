// Runs in: the supervisor (`ccproxy serve`).

/// A turn that answered with calls of the client's functions and whose claude waits, in its
/// worker, for the results: found again by the follow-up that answers exactly these calls
/// with a request of the same token.
public struct WaitingTurn: Sendable, Equatable {
    /// The token whose request started the turn.
    public var tokenID: String
    /// claude's ids of the calls the client got (`tool_calls[].id`).
    public var callIDs: Set<String>

    public init(tokenID: String, callIDs: Set<String>) {
        self.tokenID = tokenID
        self.callIDs = callIDs
    }

    /// Whether a follow-up of `tokenID` answering `callIDs` continues this turn.
    public func matches(tokenID: String, callIDs: Set<String>) -> Bool {
        self.tokenID == tokenID && self.callIDs == callIDs
    }
}
