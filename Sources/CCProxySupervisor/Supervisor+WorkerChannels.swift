// Runs in: the supervisor (`ccproxy serve`).
// The supervisor's side of its children's channels: a closed set of typed requests per
// role, each answered from the supervisor's own state; anything else (an unknown code, a
// descriptor on a message that may not carry one, a hello naming another role) is a
// protocol violation and costs the child its life (OpenSSH's monitor policy).

import CCProxyCore
import Foundation
import CCProxyPosix
import CCProxyWire
import Glibc
import Logging

extension Supervisor {
    func readChannel(pid: Int32) {
        guard let child = children[pid], let channel = child.channel else { return }
        let received: SeqPacketChannel.Received
        do {
            received = try channel.receive(maxBytes: Limits.maxWorkerFrameBytes, nonBlocking: true)
        } catch where error.errno == ECONNRESET {
            // The child exited with a message of ours unread (a stop sent as it went): the
            // same as a close.
            channel.close()
            children[pid]?.channel = nil
            return
        } catch {
            violation(pid: pid, reason: "\(error)")
            return
        }
        switch consume received {
        case .wouldBlock:
            return
        case .closed:
            // The child is exiting; the reaper does the accounting.
            channel.close()
            children[pid]?.channel = nil
        case .descriptorLost(let bytes):
            descriptorLost(bytes, pid: pid, assignment: child.assignment)
        case .message(let bytes, let descriptor):
            switch child.assignment {
            case .poolWorker(let slot, _):
                handlePoolWorkerFrame(bytes, descriptor: descriptor, pid: pid, slot: slot)
            case .bridgeWorker:
                descriptor?.close()
                handleBridgeWorkerFrame(bytes, pid: pid)
            case .fuseHelper:
                descriptor?.close()
                violation(pid: pid, reason: "no channel handler for the \(child.assignment.role) role yet")
            }
        }
    }

    /// A handed-back connection whose descriptor this process could not receive (out of
    /// descriptors): the connection is lost, the worker is free. Anything else is a violation.
    private func descriptorLost(_ bytes: [UInt8], pid: Int32, assignment: ChildAssignment) {
        guard case .poolWorker(let slot, _) = assignment,
            case .handBack(let id, _, _)? = try? WorkerMessage.decode(bytes, maxBytes: Limits.maxWorkerFrameBytes),
            pool.connections[id]?.phase == .withWorker(slot: slot)
        else {
            violation(pid: pid, reason: "a message arrived with its descriptor dropped")
            return
        }
        logger.warning(
            "out of file descriptors: a handed-back connection could not be received and is closed",
            metadata: ["connection": "\(id)", "slot": "\(slot)"])
        releaseConnection(slot: slot)
        perform(pool.connectionDone(slot: slot, now: now()))
    }

    /// The pool-worker role's channel handler: checks the descriptor rule for the code
    /// before decoding, then dispatches.
    private func handlePoolWorkerFrame(_ bytes: [UInt8], descriptor: consuming OwnedDescriptor?, pid: Int32, slot: UInt32) {
        let code = bytes.count >= Frame.headerBytes ? UInt16(bytes[4]) << 8 | UInt16(bytes[5]) : UInt16.max
        let mayCarry = WorkerMessage.carriesDescriptor(code: code) ?? false
        guard mayCarry == (descriptor != nil) else {
            descriptor?.close()
            violation(pid: pid, reason: "message \(code) \(mayCarry ? "without" : "with") a descriptor")
            return
        }
        let message: WorkerMessage
        do {
            message = try WorkerMessage.decode(bytes, maxBytes: Limits.maxWorkerFrameBytes)
        } catch {
            descriptor?.close()
            violation(pid: pid, reason: "\(error)")
            return
        }
        if case .handBack(let id, let reason, let pending) = message, let fd = descriptor.take() {
            guard children[pid]?.greeted == true else {
                fd.close()
                violation(pid: pid, reason: "handBack before hello")
                return
            }
            handBack(id, reason: reason, pendingBytes: pending, descriptor: fd, fromSlot: slot)
            return
        }
        if case .passToWaitingTurn(let id, let followUp) = message, let fd = descriptor.take() {
            guard children[pid]?.greeted == true else {
                fd.close()
                violation(pid: pid, reason: "passToWaitingTurn before hello")
                return
            }
            passToWaitingTurn(id, followUp: followUp, descriptor: fd, fromSlot: slot)
            return
        }
        descriptor?.close()
        handle(message, fromPID: pid, slot: slot)
    }

    func handle(_ message: WorkerMessage, fromPID pid: Int32, slot: UInt32) {
        if case .hello = message {} else if children[pid]?.greeted != true {
            violation(pid: pid, reason: "message before hello")
            return
        }
        switch message {
        case .hello(let version, _, let role):
            guard version == ProtocolVersion.current else {
                violation(pid: pid, reason: "protocol version \(version), expected \(ProtocolVersion.current)")
                return
            }
            guard role == .poolWorker, children[pid]?.greeted == false else {
                violation(pid: pid, reason: "hello as \(role) from a pool worker, or a second hello")
                return
            }
            children[pid]?.greeted = true
            send(.welcome(protocolVersion: ProtocolVersion.current, slot: slot), toPID: pid)
            perform(pool.workerReady(slot: slot, now: now()))
        case .authorize(let correlation, let bearer, let scope, let requestID):
            requestAuthorization(
                correlation: correlation, bearer: bearer, scope: scope, requestID: requestID, pid: pid, slot: slot)
        case .turnFinished(let tokenID, let input, let output):
            do {
                // Billed by the grant, not by the id the worker names.
                let grant = try ledger.turnFinished(slot: slot, tokenID: tokenID)
                authorityService?.record(
                    UsageRecord(
                        tokenID: grant.tokenID, inputTokens: min(input, UInt64(Limits.maxTurnTokens)),
                        outputTokens: min(output, UInt64(Limits.maxTurnTokens)), finishedAt: Date()))
            } catch {
                violation(pid: pid, reason: error.reason)
            }
        case .turnStarted(let group):
            do {
                let fresh = ledger.entries[slot]?.processGroup == nil
                try ledger.turnStarted(slot: slot, processGroup: group)
                if fresh { metrics.claudeSpawned() }
            } catch {
                violation(pid: pid, reason: error.reason)
            }
        case .turnEnded:
            if ledger.entries[slot]?.processGroup != nil { metrics.claudeExited() }
            ledger.turnEnded(slot: slot)
        case .requestObserved(let observation):
            requestObserved(observation, slot: slot)
        case .bridgeCallObserved:
            violation(pid: pid, reason: "bridgeCallObserved from a pool worker")
        case .registerBridge(let correlation, let version, let root, let allowWrite, let allowExec):
            registerBridge(
                correlation: correlation, daemonVersion: version, root: root, allowWrite: allowWrite, allowExec: allowExec,
                pid: pid, slot: slot)
        case .acquireSession(let correlation, let name, let workspace):
            acquireSession(correlation: correlation, name: name, workspace: workspace, slot: slot)
        case .releaseSession(let started):
            releaseSession(started: started, slot: slot)
        case .connectionDone:
            releaseConnection(slot: slot)
            if case .busy(let id) = pool.slots[slot]?.state { held.removeValue(forKey: id) }
            perform(pool.connectionDone(slot: slot, now: now()))
        case .turnWaits(let callIDs):
            turnWaits(callIDs: callIDs, pid: pid, slot: slot)
        case .waitingTurnEnded:
            waitingTurnEnded(slot: slot)
        case .findWaitingTurn(let correlation, let callIDs):
            findWaitingTurn(correlation: correlation, callIDs: callIDs, pid: pid, slot: slot)
        case .handBack, .passToWaitingTurn:
            preconditionFailure("messages with a descriptor are dispatched with it before handle(_:)")
        }
    }

    /// Queues an authorization for the authority thread; the answer comes back through
    /// `authorityAnswered()`. Refused at once (401) for an oversized bearer, 503 retryable
    /// when the queue is full. Asking without a connection is a violation.
    private func requestAuthorization(
        correlation: UInt32, bearer: String, scope: String, requestID: String, pid: Int32, slot: UInt32
    ) {
        let connection: ConnectionGrant
        do {
            connection = try ledger.authorizationRequested(slot: slot)
        } catch {
            violation(pid: pid, reason: error.reason)
            return
        }
        guard bearer.utf8.count <= Limits.maxBearerBytes else {
            send(
                .refused(correlation: correlation, status: 401, type: "authentication_error", code: "invalid_api_key", message: "invalid bearer token"),
                toPID: pid)
            return
        }
        let request = AuthorityService.Request(
            slot: slot, pid: pid, connectionID: connection.id, correlation: correlation, bearer: bearer, scope: scope,
            source: connection.source, requestID: String(decoding: requestID.utf8.prefix(Limits.maxRequestIDBytes), as: UTF8.self))
        guard authorityService?.submit(request) == true else {
            logger.warning("authority queue full: authorization answered 503", metadata: ["slot": "\(slot)"])
            send(Self.refusal(correlation: correlation, AuthRefusalText.busy), toPID: pid)
            return
        }
    }

    /// The authority thread answered: each answer goes to the worker that asked, if it still
    /// serves the same connection; a grant is recorded in the ledger (and refused there if
    /// the token is at its concurrent-turn cap).
    func authorityAnswered() {
        guard let service = authorityService else { return }
        defer {
            for answer in service.takeAdminAnswers() { adminOperationAnswered(answer) }
            for answer in service.takeSessionAnswers() { sessionRegistryAnswered(answer) }
        }
        for answer in service.takeAnswers() {
            let request = answer.request
            guard let child = children[request.pid], case .poolWorker(request.slot, _) = child.assignment else { continue }
            switch answer.result {
            case .failure(let refusal):
                send(Self.refusal(correlation: request.correlation, refusal.error, limits: refusal.limits), toPID: request.pid)
            case .success(let granted):
                let entry = TokenLedgerGrant(
                    tokenID: granted.grant.tokenID, name: granted.grant.name, maxConcurrent: granted.maxConcurrent,
                    owner: granted.grant.owner, scopes: Set(granted.grant.scopes.compactMap(Scope.init)))
                let admission = ledger.authorized(
                    slot: request.slot, connectionID: request.connectionID, grant: entry, requestID: request.requestID)
                switch admission {
                case .admitted, .admittedForFollowUp:
                    var grant = granted.grant
                    grant.followUpOnly = admission == .admittedForFollowUp
                    // A principal's turns run in its bridge's mount while one is connected.
                    if let principal = grant.principal, let bridge = bridges.bridge(principal: principal) {
                        grant.bridgeMount = bridge.mountPoint
                        if bridge.allowExec {
                            grant.bridgeExecSocket = BridgePaths.execSocket(
                                stateDirectory: configuration.stateDirectory, bridgeID: bridge.bridgeID)
                        }
                    }
                    send(.authorized(correlation: request.correlation, grant: grant), toPID: request.pid)
                case .overConcurrency(let limit):
                    let error = TokenGate.limited(
                        "per-token concurrent turns exceeded (limit \(limit))", retryAfter: Limits.concurrencyRetryAfterSeconds)
                    send(Self.refusal(correlation: request.correlation, error, limits: granted.grant.limits), toPID: request.pid)
                case .stale:
                    send(Self.refusal(correlation: request.correlation, AuthRefusalText.busy), toPID: request.pid)
                }
            }
        }
    }

    static func refusal(correlation: UInt32, _ error: APIError, limits: RateLimitFigures? = nil) -> SupervisorMessage {
        .refused(
            correlation: correlation, status: UInt16(clamping: error.status), type: error.type, code: error.code,
            message: error.message, retryAfterSeconds: UInt32(clamping: error.retryAfterSeconds ?? 0), limits: limits)
    }

    /// A child broke the protocol: it is not trusted further (OpenSSH monitor policy).
    func violation(pid: Int32, reason: String) {
        var metadata: Logger.Metadata = ["pid": "\(pid)", "reason": "\(reason)"]
        if let child = children[pid] {
            metadata["role"] = "\(child.assignment.role)"
            if case .poolWorker(let slot, _) = child.assignment { metadata["slot"] = "\(slot)" }
            child.channel?.close()
            children[pid]?.channel = nil
        }
        logger.critical("child protocol violation, killing it", metadata: metadata)
        if pid > 0 { _ = kill(pid, SIGKILL) }
    }

    func violation(slot: UInt32, reason: String) {
        violation(pid: children.pid(poolSlot: slot) ?? pool.slots[slot]?.pid ?? 0, reason: reason)
    }

    func send(_ message: SupervisorMessage, toPID pid: Int32) {
        guard let channel = children[pid]?.channel else { return }
        do {
            try channel.send(message.encode())
        } catch {
            logger.warning("could not write to a child, ignoring", metadata: ["pid": "\(pid)", "error": "\(error)"])
        }
    }

    func send(_ message: SupervisorMessage, toSlot slot: UInt32) {
        guard let pid = children.pid(poolSlot: slot) else { return }
        send(message, toPID: pid)
    }
}
