import CCProxyAuth
import CCProxyCore
import CCProxySupervisor
import CCProxyWire
import Foundation
import Logging

/// The supervisor's answers to worker requests, backed by the token database.
final class SupervisorAuthority: WorkerRequestAuthority {
    private let authority: TokenAuthority
    private let logger: Logger

    init(authority: TokenAuthority, logger: Logger) {
        self.authority = authority
        self.logger = logger
    }

    func authorize(bearer: String, scope: String) -> Result<TokenGrant, APIError> {
        switch authority.authorize(bearer: bearer, requiredScope: scope, now: Date()) {
        case .success(let identity):
            return .success(
                TokenGrant(
                    tokenID: identity.id, name: identity.name, scopes: identity.scopes, principal: identity.principal,
                    debugCapture: identity.debugCapture, defaultVerbosity: identity.defaultVerbosity))
        case .failure(let refusal):
            return .failure(refusal.error)
        }
    }

    func recordUsage(tokenID: String, inputTokens: UInt64, outputTokens: UInt64) {
        do {
            try authority.recordUsage(tokenID: tokenID, inputTokens: Int(clamping: inputTokens), outputTokens: Int(clamping: outputTokens), now: Date())
        } catch {
            logger.error("could not record usage, ignoring", metadata: ["token": "\(tokenID)", "error": "\(error)"])
        }
    }
}
