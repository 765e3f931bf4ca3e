// Runs in: the supervisor (`ccproxy serve`).
// Persistent sessions on the loop: the ledger decides who may hold which session (a worker
// gets a lease only for the owner of the token the supervisor granted on its current
// connection, and only with `session:persistent`: it never names an owner itself); the
// registry's SQLite work and directory removal run on the authority thread as `SessionJob`s,
// and their answers come back as poll events like authorizations.

import CCProxyCore
import CCProxyStore
import CCProxyWire
import Foundation
import Logging

extension Supervisor {
    /// A worker asks for a session for its current turn.
    func acquireSession(correlation: UInt32, name: String, workspace: String?, slot: UInt32) {
        let decision: Result<SessionLeases.Action?, SlotLedger.SessionRefusal>
        do {
            decision = try ledger.sessionRequested(
                slot: slot, correlation: correlation, name: name, workspace: workspace, now: now())
        } catch {
            violation(slot: slot, reason: error.reason)
            return
        }
        switch decision {
        case .failure(.missingScope):
            refuse(.forbidden("token missing required scope: \(Scope.sessionPersistent)"), correlation: correlation, slot: slot)
        case .failure(.invalidName):
            refuse(
                .invalidRequest("session id must be 1 to \(Limits.maxSessionNameBytes) bytes", code: "invalid_session_id"),
                correlation: correlation, slot: slot)
        case .success(let action):
            if let action { perform(action) }
        }
    }

    /// The worker's turn on its session is over.
    func releaseSession(started: Bool, slot: UInt32) {
        do {
            let (key, next) = try ledger.sessionReleased(slot: slot)
            recordTurn(key, started: started)
            for action in next { perform(action) }
        } catch {
            violation(slot: slot, reason: error.reason)
        }
    }

    /// The slot's connection ended or its worker died: a session it still held is recorded as
    /// used (claude may or may not hold the conversation; `started` never goes back), and the
    /// next waiter is granted.
    func sessionWorkEnded(_ released: SlotRelease) {
        if let key = released.session { recordTurn(key, started: false) }
        for action in released.next { perform(action) }
    }

    private func recordTurn(_ key: SessionLeases.Key, started: Bool) {
        _ = authorityService?.submit(.recordTurn(SessionTurn(key: key, started: started, at: Date())))
    }

    /// Carries out a decision of the lease table.
    func perform(_ action: SessionLeases.Action) {
        switch action {
        case .grant(let request):
            // Answered in `sessionRegistryAnswered` once the registry has the record.
            if !sessionsAvailable || authorityService?.submit(.lookUp(request)) != true { registryUnavailable(for: request) }
        case .refuseBusy(let request):
            var busy = APIError(
                status: 409, type: "invalid_request_error", code: "session_busy",
                message: "session \(JSONString.quote(request.key.name)) is busy with another turn; retry when it has finished")
            busy.retryAfterSeconds = 1
            refuse(busy, correlation: request.correlation, slot: request.slot)
        }
    }

    /// The registry could not answer a granted lease: 503 retryable, and the lease goes to the
    /// next waiter (if the slot still holds it).
    private func registryUnavailable(for request: SessionLeases.Request) {
        var unavailable = APIError.unavailable(
            sessionsAvailable ? "the session registry is unavailable; retry shortly" : "persistent sessions are not available")
        unavailable.retryAfterSeconds = sessionsAvailable ? 1 : 0
        refuse(unavailable, correlation: request.correlation, slot: request.slot)
        guard ledger.holdsSession(slot: request.slot, key: request.key, connectionID: request.connectionID) else { return }
        if let (_, next) = try? ledger.sessionReleased(slot: request.slot) {
            for action in next { perform(action) }
        }
    }

    /// An answer of the session registry arrived from the authority thread.
    func sessionRegistryAnswered(_ answer: SessionAnswer) {
        switch answer {
        case .lookedUp(let request, .success(let record)):
            // The slot may have lost the lease meanwhile (its connection ended, its worker died):
            // then the answer is for nobody.
            guard ledger.holdsSession(slot: request.slot, key: request.key, connectionID: request.connectionID) else { return }
            let lease = SessionLease(claudeSessionID: record.claudeSessionID, resume: record.started, workspace: record.workspace)
            send(.sessionLeased(correlation: request.correlation, lease: lease), toSlot: request.slot)
        case .lookedUp(let request, .failure(let error)):
            logger.error("session registry unavailable", metadata: ["error": "\(error)"])
            guard ledger.holdsSession(slot: request.slot, key: request.key, connectionID: request.connectionID) else { return }
            registryUnavailable(for: request)
        case .evicted(.success(let records)):
            metrics.sessionsEvicted(records.count)
            for record in records {
                logger.info(
                    "evicted an idle session", metadata: ["session": "\(record.name)", "claude_session": "\(record.claudeSessionID)"])
            }
        case .evicted(.failure(let error)):
            logger.error("could not evict idle sessions", metadata: ["error": "\(error)"])
        case .listed(let client, let result):
            adminOperationAnswered(.init(client: client, reply: sessionsListReply(result)))
        case .ended(let client, .success(let ended)):
            adminOperationAnswered(.init(client: client, reply: .sessionsEnded(count: ended.count, busyOwners: ended.busyOwners)))
        case .ended(let client, .failure(let error)):
            adminOperationAnswered(.init(client: client, reply: .error("session registry: \(error)")))
        }
    }

    func refuse(_ error: APIError, correlation: UInt32, slot: UInt32) {
        send(Self.refusal(correlation: correlation, error), toSlot: slot)
    }

    /// Asks the registry to evict sessions idle for longer than `session_ttl` (never one a
    /// turn holds), at most once per quarter of the ttl (at least every minute).
    func sweepSessions(now time: Double) {
        let ttl = configuration.settings.sessionTTLSeconds
        guard sessionsAvailable, ttl > 0, time >= nextSessionSweep else { return }
        nextSessionSweep = time + min(60, max(1, ttl / 4))
        _ = authorityService?.submit(.evictIdle(cutoff: Date().addingTimeInterval(-ttl), held: ledger.sessions.heldKeys))
    }

    /// The admin socket's session requests, as registry jobs; nil when there is no registry.
    func sessionJob(for request: AdminRequest, client: UInt64) -> SessionJob? {
        guard sessionsAvailable else { return nil }
        switch request {
        case .sessions:
            return .list(client: client)
        case .endSession(let owner, let name):
            return .end(client: client, owner: owner, name: name, held: ledger.sessions.heldKeys)
        default:
            return nil
        }
    }

    /// `ccproxyctl sessions list`: every session (at most `Limits.maxSessionsListed`), with
    /// whether a turn holds it now.
    private func sessionsListReply(_ result: Result<[SessionRecord], StoreError>) -> AdminReply {
        switch result {
        case .failure(let error):
            return .error("session registry: \(error)")
        case .success(let records):
            return .sessions(
                records.prefix(Limits.maxSessionsListed).map {
                    SessionReport(
                        owner: $0.owner, name: $0.name, claudeSessionID: $0.claudeSessionID, workspace: $0.workspace,
                        started: $0.started, createdAt: Int64($0.createdAt.timeIntervalSince1970),
                        lastUsedAt: Int64($0.lastUsedAt.timeIntervalSince1970),
                        busy: ledger.sessions.isHeld(.init(owner: $0.owner, name: $0.name)))
                })
        }
    }
}
