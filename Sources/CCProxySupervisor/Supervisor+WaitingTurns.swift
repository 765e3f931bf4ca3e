// Runs in: the supervisor (`ccproxy serve`).
// Waiting turns: a pool worker whose turn's claude waits for the client's function results
// holds the turn (the pool keeps its slot, the ledger its grants and claude group) until the
// follow-up arrives, on whatever connection and worker, or `tool_result_timeout` passes.
// The supervisor only matches ids that workers name and moves the follow-up's connection from
// the worker that read it to the one that waits; it reads neither the request nor the
// follow-up it carries (invariant 2).

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Logging

extension Supervisor {
    /// `turnWaits`: the current connection's turn waits for these calls' results.
    func turnWaits(callIDs: [String], pid: Int32, slot: UInt32) {
        guard !callIDs.isEmpty, callIDs.count <= Limits.maxTools,
            callIDs.allSatisfy({ !$0.isEmpty && $0.utf8.count <= Limits.maxToolCallIDBytes })
        else {
            violation(pid: pid, reason: "turnWaits with \(callIDs.count) call ids, or an empty or over-long one")
            return
        }
        do {
            let tokenID = try ledger.turnWaits(slot: slot)
            guard pool.turnWaits(slot: slot, turn: WaitingTurn(tokenID: tokenID, callIDs: Set(callIDs))) else {
                violation(pid: pid, reason: "turnWaits without a connection")
                return
            }
        } catch {
            violation(pid: pid, reason: error.reason)
        }
    }

    /// `waitingTurnEnded`: the worker's waiting turn is over; its claude group, if the worker
    /// left one, is stopped with the rest of what the slot held.
    func waitingTurnEnded(slot: UInt32) {
        guard let worker = pool.slots[slot] else { return }
        switch worker.state {
        case .waiting, .reserved, .endingWait:
            releaseConnection(slot: slot)
        default:
            ledger.waitEnded(slot: slot)
        }
        perform(pool.waitingTurnEnded(slot: slot, now: now()))
    }

    /// `findWaitingTurn`: is there a turn of this request's token waiting for exactly these
    /// calls? Found, it is reserved for this worker's connection.
    func findWaitingTurn(correlation: UInt32, callIDs: [String], pid: Int32, slot: UInt32) {
        guard let grant = ledger.activeGrant(slot: slot), let connection = ledger.connection(slot: slot) else {
            violation(pid: pid, reason: "findWaitingTurn without an authorized request")
            return
        }
        let found =
            callIDs.count <= Limits.maxTools
            && pool.waitingTurnSought(
                bySlot: slot, connectionID: connection.id, tokenID: grant.tokenID, callIDs: Set(callIDs), now: now())
        send(.waitingTurnFound(correlation: correlation, found: found), toPID: pid)
    }

    /// `passToWaitingTurn`: the connection (with its descriptor) goes to the waiting turn
    /// reserved for it, with the follow-up the reading worker decided.
    func passToWaitingTurn(
        _ id: UInt64, followUp: FollowUp, descriptor: consuming OwnedDescriptor, fromSlot slot: UInt32
    ) {
        guard let record = pool.connections[id], record.phase == .withWorker(slot: slot) else {
            descriptor.close()
            violation(slot: slot, reason: "passed connection \(id), which it does not hold")
            return
        }
        releaseConnection(slot: slot)
        let (holder, deferred, actions) = pool.passedToWaitingTurn(fromSlot: slot, connectionID: id, now: now())
        if let holder, deferred {
            // Its worker is still finishing the connection that got the calls: the follow-up
            // waits here for `.continueWaitingTurn`.
            held[id] = HeldConnection(id: id, source: record.source, descriptor: descriptor)
            passedFollowUps[id] = followUp
        } else if let holder {
            deliverFollowUp(id, followUp: followUp, descriptor: descriptor, source: record.source, to: holder)
        } else {
            // The reservation lapsed or its worker died: the follow-up's connection is lost
            // (closed without an answer; the client retries, and is served from the transcript).
            descriptor.close()
            logger.warning("a follow-up's waiting turn is gone; its connection is closed", metadata: ["connection": "\(id)"])
        }
        perform(actions)
    }

    /// `.continueWaitingTurn`: a follow-up kept while its waiting turn's worker finished its
    /// first connection goes there now.
    func continueWaitingTurn(_ id: UInt64, slot: UInt32) {
        let followUp = passedFollowUps.removeValue(forKey: id)
        guard let connection = held.removeValue(forKey: id), let descriptor = connection.take(), let followUp else { return }
        deliverFollowUp(id, followUp: followUp, descriptor: descriptor, source: connection.source, to: slot)
    }

    private func deliverFollowUp(
        _ id: UInt64, followUp: FollowUp, descriptor: consuming OwnedDescriptor, source: String, to holder: UInt32
    ) {
        guard let pid = children.pid(poolSlot: holder), let channel = children[pid]?.channel else {
            descriptor.close()
            return
        }
        ledger.waitingTurnResumed(slot: holder, connection: ConnectionGrant(id: id, source: source))
        do {
            try channel.send(SupervisorMessage.continueWaitingTurn(connectionID: id, followUp: followUp).encode(), passing: descriptor)
        } catch {
            logger.warning(
                "could not pass a follow-up to its waiting turn, the connection is lost",
                metadata: ["slot": "\(holder)", "error": "\(error)"])
        }
    }
}
