// Runs in: the supervisor (`ccproxy serve`).
// Carries out what the pool state machine decided. Every action is one small step of I/O.

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Glibc
import Logging

extension Supervisor {
    func perform(_ actions: [WorkerPoolStateMachine.Action]) {
        for action in actions {
            switch action {
            case .spawn(let slot, let generation):
                spawn(slot: slot, generation: generation)
            case .handOff(let id, let slot):
                handOff(id, to: slot)
            case .refuse(let id, let reason):
                refuse(id, reason: reason)
            case .park(let id, let reason):
                park(id, reason: reason)
            case .closeConnection(let id, let reason):
                scrapeConnections.remove(id)
                held.removeValue(forKey: id)  // the record owns the descriptor: this closes it
                passedFollowUps.removeValue(forKey: id)
                logger.debug("closed a held connection", metadata: ["connection": "\(id)", "reason": "\(reason.rawValue)"])
            case .retire(let slot):
                send(.shutdown, toSlot: slot)
            case .endWaitingTurn(let slot):
                send(.endWaitingTurn, toSlot: slot)
            case .continueWaitingTurn(let id, let slot):
                continueWaitingTurn(id, slot: slot)
            case .signal(let pid, let signal):
                _ = kill(pid, signal)
            case .closeListener:
                closeDescriptor(listenerFD)
                listenerFD = -1
            case .notifyReady:
                notifier.ready(status: statusLine())
                logger.info("ready", metadata: ["idle_workers": "\(pool.idleCount)"])
            case .notifyReloaded(let generation):
                notifier.ready(status: statusLine())
                logger.notice("reload complete: new workers are serving", metadata: ["generation": "\(generation)"])
                releaseStaleSnapshots()
            case .notifyStopping:
                notifier.stopping(status: "draining \(pool.busyCount) busy workers")
            case .respawnHalted(let reason):
                logger.critical(
                    "a worker reported a fatal configuration error: workers are no longer respawned until the configuration is fixed and reloaded",
                    metadata: ["reason": "\(reason)"])
                notifier.status(statusLine())
            case .exit(let code):
                exitOnceBridgesAreGone(code: code)
            }
        }
    }

    /// Settings snapshots of generations no child uses any more are closed.
    func releaseStaleSnapshots() {
        var inUse: Set<UInt32> = [pool.generation]
        for child in children.all {
            if case .poolWorker(_, let generation) = child.assignment { inUse.insert(generation) }
        }
        for (generation, fd) in settingsSnapshots where !inUse.contains(generation) {
            closeDescriptor(fd)
            settingsSnapshots[generation] = nil
        }
    }
}
