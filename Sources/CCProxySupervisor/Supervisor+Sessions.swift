// Runs in: the supervisor (`ccproxy serve`).
// Persistent sessions: leases for workers' turns (`SessionLeases`), the registry in SQLite
// (`SessionRegistry`), idle eviction after `session_ttl`, and the admin socket's view. A
// worker gets a lease only for the owner of the token the supervisor granted on its current
// connection, and only with the `session:persistent` scope: it never names an owner itself.

import CCProxyCore
import CCProxyStore
import CCProxyWire
import Foundation
import Logging

extension Supervisor {
    /// A worker asks for a session for its current turn.
    func acquireSession(correlation: UInt32, name: String, workspace: String?, slot: UInt32) {
        guard let grant = grantsBySlot[slot] else {
            violation(slot: slot, reason: "acquireSession without an authorized request")
            return
        }
        guard grant.scopes.compactMap(Scope.init).contains(.sessionPersistent) else {
            refuse(.forbidden("token missing required scope: \(Scope.sessionPersistent)"), correlation: correlation, slot: slot)
            return
        }
        guard sessions != nil else {
            refuse(.unavailable("persistent sessions are not available"), correlation: correlation, slot: slot)
            return
        }
        guard !name.isEmpty, name.utf8.count <= Limits.maxSessionNameBytes else {
            refuse(
                .invalidRequest("session id must be 1 to \(Limits.maxSessionNameBytes) bytes", code: "invalid_session_id"),
                correlation: correlation, slot: slot)
            return
        }
        let request = SessionLeases.Request(
            slot: slot, correlation: correlation, key: .init(owner: grant.owner, name: name), workspace: workspace)
        do {
            if let action = try sessionLeases.acquire(request, now: now()) { perform(action) }
        } catch {
            violation(slot: slot, reason: "acquireSession while it already holds or waits for a session")
        }
    }

    /// The worker's turn on its session is over.
    func releaseSession(started: Bool, slot: UInt32) {
        guard let key = sessionLeases.held(bySlot: slot) else {
            violation(slot: slot, reason: "releaseSession without a session lease")
            return
        }
        do {
            try sessions?.recordTurn(owner: key.owner, name: key.name, started: started, now: Date())
        } catch {
            logger.error("could not record a session's turn", metadata: ["session": "\(key.name)", "error": "\(error)"])
        }
        for action in sessionLeases.release(slot: slot) { perform(action) }
    }

    /// The slot's connection ended or its worker died: whatever it held or waited for goes.
    func endSessionWork(slot: UInt32) {
        grantsBySlot[slot] = nil
        if let key = sessionLeases.held(bySlot: slot) {
            try? sessions?.recordTurn(owner: key.owner, name: key.name, started: false, now: Date())
        }
        for action in sessionLeases.release(slot: slot) { perform(action) }
    }

    func perform(_ action: SessionLeases.Action) {
        switch action {
        case .grant(let request):
            guard let sessions else { return }
            do {
                let record = try sessions.findOrCreate(
                    owner: request.key.owner, name: request.key.name, workspace: request.workspace, now: Date())
                let lease = SessionLease(
                    claudeSessionID: record.claudeSessionID, resume: record.started, workspace: record.workspace)
                send(.sessionLeased(correlation: request.correlation, lease: lease), toSlot: request.slot)
            } catch {
                logger.error("session registry unavailable", metadata: ["error": "\(error)"])
                var unavailable = APIError.unavailable("the session registry is unavailable; retry shortly")
                unavailable.retryAfterSeconds = 1
                refuse(unavailable, correlation: request.correlation, slot: request.slot)
                for next in sessionLeases.release(slot: request.slot) { perform(next) }
            }
        case .refuseBusy(let request):
            var busy = APIError(
                status: 409, type: "invalid_request_error", code: "session_busy",
                message: "session \(JSONString.quote(request.key.name)) is busy with another turn; retry when it has finished")
            busy.retryAfterSeconds = 1
            refuse(busy, correlation: request.correlation, slot: request.slot)
        }
    }

    func refuse(_ error: APIError, correlation: UInt32, slot: UInt32) {
        send(Self.refusal(correlation: correlation, error), toSlot: slot)
    }

    /// Evicts sessions idle for longer than `session_ttl` (never one a turn holds), at most
    /// once per quarter of the ttl (at least every minute).
    func sweepSessions(now time: Double) {
        guard let sessions else { return }
        let ttl = configuration.settings.sessionTTLSeconds
        guard ttl > 0, time >= nextSessionSweep else { return }
        nextSessionSweep = time + min(60, max(1, ttl / 4))
        do {
            let idle = try sessions.idle(before: Date().addingTimeInterval(-ttl), limit: Limits.sessionEvictionBatch)
            for record in idle where !sessionLeases.isHeld(.init(owner: record.owner, name: record.name)) {
                try sessions.remove(record)
                logger.info("evicted an idle session", metadata: ["session": "\(record.name)", "claude_session": "\(record.claudeSessionID)"])
            }
        } catch {
            logger.error("could not evict idle sessions", metadata: ["error": "\(error)"])
        }
    }

    /// Every session, for `ccproxyctl sessions list`.
    func sessionReports() throws(StoreError) -> [SessionReport] {
        guard let sessions else { return [] }
        return try sessions.list().prefix(Limits.maxSessionsListed).map {
            SessionReport(
                owner: $0.owner, name: $0.name, claudeSessionID: $0.claudeSessionID, workspace: $0.workspace,
                started: $0.started, createdAt: Int64($0.createdAt.timeIntervalSince1970),
                lastUsedAt: Int64($0.lastUsedAt.timeIntervalSince1970),
                busy: sessionLeases.isHeld(.init(owner: $0.owner, name: $0.name)))
        }
    }

    /// Ends sessions named `name` (of `owner`, or of every owner when nil) that no turn holds.
    func endSessions(owner: String?, name: String) -> AdminReply {
        guard let sessions else { return .error("persistent sessions are not available") }
        do {
            let matching = try sessions.list().filter { $0.name == name && (owner == nil || $0.owner == owner) }
            var ended: UInt32 = 0
            var busy: [String] = []
            for record in matching {
                if sessionLeases.isHeld(.init(owner: record.owner, name: record.name)) {
                    busy.append(record.owner)
                    continue
                }
                try sessions.remove(record)
                ended += 1
            }
            return .sessionsEnded(count: ended, busyOwners: busy)
        } catch {
            return .error("session registry: \(error)")
        }
    }
}
