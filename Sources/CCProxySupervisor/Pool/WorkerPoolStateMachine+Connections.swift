// Runs in: the supervisor (`ccproxy serve`).
// The pool state machine's connection events: accept, hand-back, readable again, closed by
// the client, and the timeouts of queued and parked connections.

extension WorkerPoolStateMachine {
    /// A client connection was accepted from `source` (its address without the port).
    public mutating func connectionAccepted(_ id: UInt64, source: String, now: Double) -> [Action] {
        switch lifecycle {
        case .draining, .stopped: return [refuse(id, .draining)]
        case .starting, .running: break
        }
        connections[id] = PoolConnection(id: id, source: source, phase: .queued(since: now), requestStarted: now)
        return dispatchNew(id, now: now, checkSource: true)
    }

    /// A worker gave its connection back (see `HandBackReason`); the worker is free again.
    public mutating func connectionHandedBack(
        slot: UInt32, connectionID id: UInt64, reason: PoolConnection.ParkReason, now: Double
    ) -> [Action] {
        guard let worker = slots[slot], case .busy(let current) = worker.state, current == id,
            var connection = connections[id]
        else { return [] }
        counters.handBacks += 1
        var actions: [Action] = []
        if case .draining = lifecycle {
            actions.append(close(id, .draining))
        } else {
            let deadline: Double
            switch reason {
            case .keepAlive:
                deadline = now + policy.keepAliveTimeoutSeconds
            case .incompleteHead:
                deadline = connection.requestStarted + policy.headTimeoutSeconds
            }
            if waitingCount(source: connection.source) >= policy.maxWaitingPerSource {
                actions.append(close(id, .perSourceLimit))
            } else if deadline <= now {
                actions.append(close(id, .headTimeout))
            } else {
                if reason == .keepAlive {
                    while keepAliveCount >= policy.maxKeepAliveConnections, let oldest = oldestKeepAlive() {
                        actions.append(close(oldest, .idleLimit))
                    }
                }
                connection.phase = .parked(reason: reason, deadline: deadline)
                connections[id] = connection
                actions.append(.park(connectionID: id, reason: reason))
            }
        }
        let servedOne = reason == .keepAlive
        return actions + workerFreed(slot: slot, servedOne: servedOne, now: now)
    }

    /// A parked connection has bytes to read: it goes to a worker like a new connection.
    public mutating func connectionReadable(_ id: UInt64, now: Double) -> [Action] {
        guard var connection = connections[id], case .parked(let reason, _) = connection.phase else { return [] }
        if case .draining = lifecycle { return [close(id, .draining)] }
        if reason == .keepAlive { connection.requestStarted = now }
        connection.phase = .queued(since: now)
        connections[id] = connection
        return dispatchNew(id, now: now, checkSource: false)
    }

    /// A parked connection was closed by the client.
    public mutating func connectionClosedByPeer(_ id: UInt64) -> [Action] {
        guard let connection = connections[id], connection.phase.isParked else { return [] }
        return [close(id, .peerClosed)]
    }

    // MARK: - Internals

    /// Hands the (already recorded) connection to an idle worker, else queues or refuses it.
    private mutating func dispatchNew(_ id: UInt64, now: Double, checkSource: Bool) -> [Action] {
        guard let connection = connections[id] else { return [] }
        if let slot = firstIdleSlot() {
            return [assign(id, to: slot)] + topUp(now: now)
        }
        if respawnHaltReason != nil && liveCount == 0 { return [refuse(id, .noWorkers)] }
        if checkSource && waitingCount(source: connection.source) > policy.maxWaitingPerSource {
            return [refuse(id, .perSourceLimit)]
        }
        guard queue.count < policy.maxQueue else { return [refuse(id, .queueFull)] }
        queue.append(id)
        return topUp(now: now)
    }

    /// Queued connections past `queue_timeout` are refused; parked ones past their deadline
    /// are closed.
    mutating func expire(now: Double) -> [Action] {
        var actions: [Action] = []
        for id in queue {
            guard let connection = connections[id], case .queued(let since) = connection.phase else { continue }
            if now >= since + policy.queueTimeoutSeconds {
                queue.removeAll { $0 == id }
                actions.append(refuse(id, .queueTimeout))
            }
        }
        for (id, connection) in connections.sorted(by: { $0.key < $1.key }) {
            guard case .parked(let reason, let deadline) = connection.phase, now >= deadline else { continue }
            actions.append(close(id, reason == .keepAlive ? .idleTimeout : .headTimeout))
        }
        return actions
    }

    /// Connections of `source` waiting in the supervisor (queued or parked), this one included.
    func waitingCount(source: String) -> Int {
        connections.values.filter { $0.source == source && $0.isWaiting }.count
    }

    private func oldestKeepAlive() -> UInt64? {
        var oldest: (id: UInt64, deadline: Double)?
        for (id, connection) in connections {
            guard case .parked(.keepAlive, let deadline) = connection.phase else { continue }
            if oldest == nil || deadline < (oldest?.deadline ?? 0) || (deadline == oldest?.deadline && id < (oldest?.id ?? 0)) {
                oldest = (id, deadline)
            }
        }
        return oldest?.id
    }

    mutating func assign(_ id: UInt64, to slot: UInt32) -> Action {
        slots[slot]?.state = .busy(connectionID: id)
        connections[id]?.phase = .withWorker(slot: slot)
        counters.handOffs += 1
        return .handOff(connectionID: id, slot: slot)
    }

    mutating func refuse(_ id: UInt64, _ reason: RefusalReason) -> Action {
        connections[id] = nil
        counters.refusals[reason, default: 0] += 1
        return .refuse(connectionID: id, reason: reason)
    }

    mutating func close(_ id: UInt64, _ reason: ConnectionCloseReason) -> Action {
        connections[id] = nil
        counters.closes[reason, default: 0] += 1
        return .closeConnection(connectionID: id, reason: reason)
    }
}
