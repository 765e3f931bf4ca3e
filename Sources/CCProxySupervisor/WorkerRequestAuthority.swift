// Runs in: the supervisor (`ccproxy serve`).
// The privileged answers to worker requests. Only the supervisor holds one: it is backed by
// the token database and argon2, which workers never see (invariant 1).

public import CCProxyCore
public import CCProxyWire

/// Answers the stateful questions workers ask.
public protocol WorkerRequestAuthority: AnyObject {
    /// May this bearer use `scope`? A grant, or the error the client must see.
    func authorize(bearer: String, scope: String) -> Result<TokenGrant, APIError>
    /// Adds a finished turn's tokens to the token's daily usage.
    func recordUsage(tokenID: String, inputTokens: UInt64, outputTokens: UInt64)
}
