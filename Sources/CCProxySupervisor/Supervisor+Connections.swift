// Runs in: the supervisor (`ccproxy serve`).
// Client connections while the supervisor holds them: accept (pausing on EMFILE), hand-off
// to a worker (the descriptor is consumed), the supervisor's own 503, and parked
// connections (idle keep-alive, or a head still arriving) watched for readability. Not a
// byte of any of them is read here (invariant 2).

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Logging

extension Supervisor {
    /// Accepts what is waiting on `listener` (the HTTP listener unless given); `scrapes`:
    /// the metrics listener, whose connections are handed off as scrapes.
    func acceptConnections(from listener: Int32? = nil, scrapes: Bool = false) {
        for _ in 0..<Limits.acceptBatch {
            let accepted: OwnedDescriptor?
            do {
                accepted = try TCPListener.accept(listener ?? listenerFD)
            } catch {
                if error.isResourceExhaustion {
                    // Retrying at once would spin: pause accepting (the kernel keeps the
                    // backlog), with one line per pause.
                    acceptPausedUntil = now() + Limits.acceptPauseSeconds
                    logger.error(
                        "accept failed: out of file descriptors or memory; pausing accepting",
                        metadata: ["error": "\(error)", "pause_seconds": "\(Limits.acceptPauseSeconds)", "held_connections": "\(held.count)"])
                } else {
                    logger.error("accept failed, retrying", metadata: ["error": "\(error)"])
                }
                return
            }
            guard let descriptor = accepted else { return }
            let id = nextConnectionID
            nextConnectionID += 1
            let source = ClientSocket.peerAddress(descriptor.rawValue) ?? "unknown"
            held[id] = HeldConnection(id: id, source: source, descriptor: descriptor)
            if scrapes { scrapeConnections.insert(id) }
            perform(pool.connectionAccepted(id, source: source, now: now()))
        }
    }

    func handOff(_ id: UInt64, to slot: UInt32) {
        guard let connection = held.removeValue(forKey: id), let descriptor = connection.take() else { return }
        if connection.lowWaterRaised {
            try? ClientSocket.setReceiveLowWater(descriptor.rawValue, bytes: 1)
        }
        guard let pid = children.pid(poolSlot: slot), let channel = children[pid]?.channel else { return }
        ledger.connectionAssigned(slot: slot, connectionID: id, source: connection.source)
        if scrapeConnections.remove(id) != nil {
            handOffScrape(id, descriptor: descriptor, to: channel, slot: slot)
            return
        }
        do {
            try channel.send(SupervisorMessage.handoff(connectionID: id).encode(), passing: descriptor)
        } catch {
            logger.warning("could not hand a connection to a worker, it is lost", metadata: ["slot": "\(slot)", "error": "\(error)"])
        }
    }

    func refuse(_ id: UInt64, reason: RefusalReason) {
        scrapeConnections.remove(id)
        guard let connection = held.removeValue(forKey: id), let descriptor = connection.take() else { return }
        ServiceUnavailable.answer(descriptor.rawValue, reason: reason)
        descriptor.close()
        logger.warning(
            "no worker available, answered 503",
            metadata: ["connection": "\(id)", "reason": "\(reason.rawValue)", "source": "\(connection.source)"])
    }

    func park(_ id: UInt64, reason: PoolConnection.ParkReason) {
        guard let connection = held[id], connection.fd >= 0 else { return }
        switch reason {
        case .keepAlive:
            if connection.lowWaterRaised {
                try? ClientSocket.setReceiveLowWater(connection.fd, bytes: 1)
                connection.lowWaterRaised = false
            }
        case .incompleteHead(let pending):
            // Readable again only once more bytes than the worker saw have arrived.
            do {
                try ClientSocket.setReceiveLowWater(connection.fd, bytes: Int32(clamping: UInt64(pending) + 1))
                connection.lowWaterRaised = true
            } catch {
                logger.debug("could not set SO_RCVLOWAT, closing", metadata: ["connection": "\(id)", "error": "\(error)"])
                perform(pool.connectionClosedByPeer(id))
            }
        }
    }

    /// poll(2) reported something on a parked connection.
    func parkedConnectionEvent(_ id: UInt64, _ event: Poller.Readiness) {
        guard let connection = held[id], let record = pool.connections[id] else { return }
        let pending = ClientSocket.pendingBytes(connection.fd)
        var incompleteHead = false
        if case .parked(.incompleteHead, _) = record.phase { incompleteHead = true }
        // A client that stopped sending: nothing more can complete an incomplete head, and
        // an idle connection with nothing queued is simply gone.
        if event.hangup || (event.peerClosed && (pending == 0 || incompleteHead)) {
            perform(pool.connectionClosedByPeer(id))
        } else if event.readable || event.peerClosed {
            perform(pool.connectionReadable(id, now: now()))
        }
    }

    /// The slot's connection is over: its grants end; a claude group it still reported is
    /// stopped (the worker should have ended it; nothing of a turn outlives its connection).
    func releaseConnection(slot: UInt32) {
        // A turn that waits for the client keeps what the slot holds (its grants and claude
        // group) beyond the connection: released when the wait ends.
        if pool.slots[slot]?.declaredWait != nil { return }
        let released = ledger.connectionReleased(slot: slot)
        if let group = released.processGroup {
            ProcessGroup(group).kill()
            metrics.claudeExited()
        }
        sessionWorkEnded(released)
    }

    /// A worker handed a connection back with its descriptor.
    func handBack(
        _ id: UInt64, reason: HandBackReason, pendingBytes: UInt32, descriptor: consuming OwnedDescriptor, fromSlot slot: UInt32
    ) {
        guard let record = pool.connections[id], record.phase == .withWorker(slot: slot) else {
            descriptor.close()
            violation(slot: slot, reason: "handed back connection \(id), which it does not hold")
            return
        }
        held[id] = HeldConnection(id: id, source: record.source, descriptor: descriptor)
        releaseConnection(slot: slot)
        let parkReason: PoolConnection.ParkReason =
            reason == .keepAlive ? .keepAlive : .incompleteHead(pendingBytes: pendingBytes)
        perform(pool.connectionHandedBack(slot: slot, connectionID: id, reason: parkReason, now: now()))
    }
}
