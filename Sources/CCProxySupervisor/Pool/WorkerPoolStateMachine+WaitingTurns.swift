// Runs in: the supervisor (`ccproxy serve`).
// The pool state machine's waiting turns: a worker whose turn's claude waits for the client's
// function results keeps its slot (not idle, so the pool refills around it) until the
// follow-up arrives on any connection, or `tool_result_timeout` passes.
//
// A follow-up is read by whichever worker gets its connection. That worker asks for the
// waiting turn (`waitingTurnSought`): found, the turn is reserved for its connection, so the
// timeout cannot end it while the connection is passed over (`passedToWaitingTurn`), and no
// second follow-up can take it. The timeout is the pool's, never the holder's: the holder
// ends its turn only when told (`endWaitingTurn`) or when its claude dies, so a follow-up
// cannot be routed to a turn that has just ended on its own clock.

extension WorkerPoolStateMachine {
    /// The turn of the connection the worker in `slot` serves now waits for `turn`'s results.
    /// - Returns: false when the slot serves no connection (a protocol violation).
    public mutating func turnWaits(slot: UInt32, turn: WaitingTurn) -> Bool {
        guard let worker = slots[slot], case .busy = worker.state else { return false }
        slots[slot]?.declaredWait = turn
        return true
    }

    /// A follow-up on connection `id`, with the worker in `slot`, answers `callIDs` with a
    /// request of `tokenID`: the matching waiting turn, if any, is reserved for it.
    /// - Returns: whether one was found (and reserved).
    public mutating func waitingTurnSought(
        bySlot slot: UInt32, connectionID id: UInt64, tokenID: String, callIDs: Set<String>, now: Double
    ) -> Bool {
        guard let worker = slots[slot], worker.state == .busy(connectionID: id) else { return false }
        guard lifecycle == .running || lifecycle == .starting else { return false }
        let until = now + policy.reservationTimeoutSeconds
        for (holder, candidate) in slots.sorted(by: { $0.key < $1.key }) where holder != slot {
            if case .waiting(let turn, _) = candidate.state, turn.matches(tokenID: tokenID, callIDs: callIDs) {
                slots[holder]?.state = .reserved(turn, connectionID: id, until: until)
                return true
            }
            // The turn waits already, but its worker has not handed back the connection that
            // got the calls yet: the client's follow-up was quicker.
            if case .busy = candidate.state, let turn = candidate.declaredWait, candidate.earlyReservation == nil,
                turn.matches(tokenID: tokenID, callIDs: callIDs)
            {
                slots[holder]?.earlyReservation = WorkerSlot.EarlyReservation(connectionID: id, until: until)
                return true
            }
        }
        return false
    }

    /// The worker in `slot` passed connection `id` to the waiting turn reserved for it, and is
    /// free again.
    /// - Returns: the slot of the waiting turn that serves the connection, and whether it
    ///   gets it only later (`deferred`: its first connection is not done yet; the shell
    ///   keeps the descriptor until `.continueWaitingTurn`); nil when the reservation is gone
    ///   (lapsed, or its worker died): the connection is lost then, and the shell closes it.
    public mutating func passedToWaitingTurn(fromSlot slot: UInt32, connectionID id: UInt64, now: Double)
        -> (holder: UInt32?, deferred: Bool, actions: [Action])
    {
        guard let worker = slots[slot], worker.state == .busy(connectionID: id) else { return (nil, false, []) }
        var holder: UInt32?
        var deferred = false
        for (candidateSlot, candidate) in slots {
            if case .reserved(_, let reservedFor, _) = candidate.state, reservedFor == id {
                holder = candidateSlot
                slots[candidateSlot]?.state = .busy(connectionID: id)
                counters.handOffs += 1
                break
            }
            if case .busy = candidate.state, candidate.earlyReservation?.connectionID == id, candidate.declaredWait != nil {
                holder = candidateSlot
                deferred = true
                slots[candidateSlot]?.passedConnection = id
                slots[candidateSlot]?.earlyReservation = nil
                break
            }
        }
        if let holder {
            connections[id]?.phase = .withWorker(slot: holder)
        } else {
            connections[id] = nil
        }
        return (holder, deferred, workerFreed(slot: slot, servedOne: true, now: now))
    }

    /// The worker in `slot` ended its waiting turn (told to, or its claude is gone).
    public mutating func waitingTurnEnded(slot: UInt32, now: Double) -> [Action] {
        guard let worker = slots[slot] else { return [] }
        switch worker.state {
        case .waiting, .reserved, .endingWait:
            return workerFreed(slot: slot, servedOne: false, now: now)
        case .busy:
            // Ended before its connection was done: the connection frees the slot as usual. A
            // follow-up already passed to it is lost (the shell closes it).
            slots[slot]?.declaredWait = nil
            slots[slot]?.earlyReservation = nil
            if let passed = slots[slot]?.passedConnection {
                slots[slot]?.passedConnection = nil
                return [close(passed, .waitingTurnGone)]
            }
            return []
        case .starting, .idle, .exiting:
            return []
        }
    }

    /// Waiting turns past `tool_result_timeout`, and reservations past theirs, are told to end.
    mutating func expireWaitingTurns(now: Double) -> [Action] {
        var actions: [Action] = []
        for (slot, worker) in slots.sorted(by: { $0.key < $1.key }) {
            if let early = worker.earlyReservation, now >= early.until { slots[slot]?.earlyReservation = nil }
            switch worker.state {
            case .waiting(_, let until), .reserved(_, _, let until):
                guard now >= until else { continue }
                slots[slot]?.state = .endingWait
                actions.append(.endWaitingTurn(slot: slot))
            default:
                continue
            }
        }
        return actions
    }

    /// The earliest end of a wait or a reservation, if any.
    var nextWaitingTurnDeadline: Double? {
        slots.values.compactMap { worker -> Double? in
            switch worker.state {
            case .waiting(_, let until), .reserved(_, _, let until): return until
            default: return worker.earlyReservation?.until
            }
        }.min()
    }

    /// Whether the slot holds a waiting turn (waiting, reserved or ending).
    func holdsWaitingTurn(_ worker: WorkerSlot) -> Bool {
        switch worker.state {
        case .waiting, .reserved, .endingWait: return true
        default: return false
        }
    }
}
