// Runs in: the supervisor (`ccproxy serve`), on its authority thread only; and in `ccproxy
// token …` when no server runs (the same code answers both, so both print the same).
// The admin socket's token operations. In the supervisor they run on the authority thread,
// not on the loop, because create and rotate hash with argon2 and every one of them writes
// SQLite; they use the gate's own `TokenAuthority`, so a revoke or rotate drops the
// verified-secret and wrong-secret caches that the next authorization consults.

public import CCProxyAuth
public import CCProxyStore
public import CCProxyWire
import Foundation

extension TokenGate {
    public func administer(_ request: AdminRequest) -> AdminReply {
        let reply = TokenAdministration(authority: authority).perform(request)
        // A revoked token's requests-per-minute bucket is not kept (nor saved at shutdown).
        if case .tokenRevoked(let report) = reply { rates.forget(tokenID: report.id) }
        return reply
    }
}

/// Performs token operations on a `TokenAuthority`, as replies of the admin protocol.
public struct TokenAdministration: Sendable {
    let authority: TokenAuthority

    public init(authority: TokenAuthority) {
        self.authority = authority
    }

    /// The reply to a token operation; any failure is an `error` reply with the message the
    /// CLI prints (unknown scope, bad lifetime, no such token, an ambiguous name, the database).
    public func perform(_ request: AdminRequest) -> AdminReply {
        do {
            switch request {
            case .tokenCreate(let create):
                return try self.create(create)
            case .tokenList:
                return .tokens(try authority.list().map(TokenReport.init(record:)))
            case .tokenRevoke(let idOrName):
                return .tokenRevoked(TokenReport(record: try authority.revoke(idOrName: idOrName)))
            case .tokenRotate(let idOrName):
                let (record, bearer) = try authority.rotate(idOrName: idOrName)
                return .tokenRotated(TokenReport(record: record), bearer: bearer)
            case .tokenUpdate(let update):
                let record = try authority.update(idOrName: update.idOrName, settings: try Self.settings(update))
                return .tokenUpdated(TokenReport(record: record))
            case .status, .reload, .sessions, .endSession, .bridgeList:
                return .error("not a token operation")
            }
        } catch {
            return .error(String(describing: error))
        }
    }

    private func create(_ request: TokenCreateRequest) throws(TokenCommandFailure) -> AdminReply {
        let scopes = try TokenCommandFailure.wrapping { () throws(ScopeError) in try ScopeSet.parse(request.scopes) }
        let ttl = try request.ttl.map { (text) throws(TokenCommandFailure) in
            try TokenCommandFailure.wrapping { () throws(TimeToLiveError) in try TimeToLive.parse(text) }
        }
        let (record, bearer) = try TokenCommandFailure.wrapping { () throws(TokenAuthorityError) in
            try authority.create(
                name: request.name, scopes: scopes, ttl: ttl, rpm: Int(clamping: request.rpm), tpd: Int(clamping: request.tpd),
                defaultVerbosity: request.defaultVerbosity, debugCapture: request.debugCapture, principal: request.principal,
                bridge: request.bridge, maxConcurrent: Int(clamping: request.maxConcurrent))
        }
        return .tokenCreated(TokenReport(record: record), bearer: bearer)
    }

    /// The wire's update as the authority's; "nothing to update" is refused as the CLI does.
    static func settings(_ update: TokenUpdateRequest) throws(TokenCommandFailure) -> TokenSettingsUpdate {
        var settings = TokenSettingsUpdate(
            rpm: update.rpm.map { Int(clamping: $0) }, tpd: update.tpd.map { Int(clamping: $0) },
            maxConcurrent: update.maxConcurrent.map { Int(clamping: $0) })
        if let scopes = update.scopes {
            settings.scopes = try TokenCommandFailure.wrapping { () throws(ScopeError) in try ScopeSet.parse(scopes) }
        }
        settings.debugCapture = update.debugCapture
        switch update.defaultVerbosity {
        case .keep: break
        case .clear: settings.defaultVerbosity = .some(nil)
        case .set(let value): settings.defaultVerbosity = .some(value)
        }
        switch update.principal {
        case .keep: break
        case .clear: settings.principal = .some(nil)
        case .set(let value): settings.principal = .some(value)
        }
        guard !settings.isEmpty else { throw TokenCommandFailure(description: "nothing to update") }
        return settings
    }
}

/// A token operation's failure, carrying the message the CLI would print.
struct TokenCommandFailure: Error, CustomStringConvertible {
    var description: String

    static func wrapping<T, E: Error & CustomStringConvertible>(_ body: () throws(E) -> T) throws(TokenCommandFailure) -> T {
        do {
            return try body()
        } catch {
            throw TokenCommandFailure(description: error.description)
        }
    }
}

extension TokenReport {
    /// The report of a stored token (never its prefix or hash).
    public init(record: TokenRecord) {
        self.init(
            id: record.id, name: record.name, scopes: record.scopes, rpm: Int64(record.rateLimitRPM),
            tpd: Int64(record.rateLimitTPD), maxConcurrent: Int64(record.maxConcurrent), debugCapture: record.debugCapture,
            defaultVerbosity: record.defaultVerbosity, principal: record.principal,
            createdAt: Int64(record.createdAt.timeIntervalSince1970),
            expiresAt: record.expiresAt.map { Int64($0.timeIntervalSince1970) },
            lastUsedAt: record.lastUsedAt.map { Int64($0.timeIntervalSince1970) })
    }
}
