// Runs in: the supervisor (`ccproxy serve`).
// Bridge workers: a pool worker that upgraded `GET /bridge` to a websocket asks to hold its
// principal's bridge; once accepted it leaves the pool (which refills behind it) and lives
// until the websocket ends. The registry decides, this file carries the decisions out.

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Foundation
import Glibc
import Logging

/// Why a bridge cannot be mounted now.
enum BridgeMountUnavailable: Error, CustomStringConvertible {
    case noManager
    case badPrincipal

    var description: String {
        switch self {
        case .noManager: "the FUSE helper is not running"
        case .badPrincipal: "the principal cannot name a mount point"
        }
    }
}

extension Supervisor {
    /// How long a stop waits for bridge workers to close their websockets before killing them.
    static let bridgeCloseGraceSeconds: Double = 3

    /// A pool worker asks to hold a bridge for the request it serves. The principal is the
    /// admitted grant's; a worker asking without an admitted `bridge:connect` grant on a busy
    /// slot breaks the protocol (its router checks the scope first).
    func registerBridge(
        correlation: UInt32, daemonVersion: String, root: String, allowWrite: Bool, allowExec: Bool, pid: Int32,
        slot: UInt32
    ) {
        guard let grant = ledger.activeGrant(slot: slot), grant.scopes.contains(.bridgeConnect),
            case .busy(let connectionID)? = pool.slots[slot]?.state
        else {
            violation(pid: pid, reason: "registerBridge without an admitted bridge:connect request")
            return
        }
        let principalPrefix = "principal:"
        let principal = grant.owner.hasPrefix(principalPrefix) ? String(grant.owner.dropFirst(principalPrefix.count)) : ""
        let decision = bridges.register(
            principal: principal, workerPID: pid, now: Int64(Date().timeIntervalSince1970), daemonVersion: daemonVersion,
            root: root, allowWrite: allowWrite, allowExec: allowExec)
        switch decision {
        case .refused(let reason):
            logger.warning("bridge refused", metadata: ["principal": "\(principal)", "pid": "\(pid)", "reason": "\(reason)"])
            let refusal = APIError(status: 409, type: "invalid_request_error", code: "bridge_refused", message: reason)
            send(Self.refusal(correlation: correlation, refusal), toPID: pid)
        case .accepted(let bridgeID):
            let helper: (mountPoint: String, workerEnd: Int32)
            do {
                helper = try requestMount(principal: principal)
            } catch {
                _ = bridges.workerExited(pid: pid)
                logger.error("could not mount the bridge", metadata: ["principal": "\(principal)", "error": "\(error)"])
                var refusal = APIError.unavailable("the server could not mount the bridge: \(error)")
                refusal.retryAfterSeconds = 5
                send(Self.refusal(correlation: correlation, refusal), toPID: pid)
                return
            }
            bridges.mounted(principal: principal, mountPoint: helper.mountPoint)
            // The connection leaves the supervisor's books with the worker: its grants end
            // here (the concurrent-turn cap is for turns), the pool forgets slot and
            // connection and starts a replacement.
            releaseConnection(slot: slot)
            held.removeValue(forKey: connectionID)
            children[pid]?.assignment = .bridgeWorker
            if let channel = children[pid]?.channel {
                do {
                    try channel.send(
                        SupervisorMessage.bridgeAccepted(correlation: correlation, bridgeID: bridgeID).encode(),
                        passing: OwnedDescriptor(adopting: helper.workerEnd))
                } catch {
                    logger.warning("could not hand a bridge channel to its worker", metadata: ["pid": "\(pid)", "error": "\(error)"])
                }
            } else {
                closeDescriptor(helper.workerEnd)
            }
            perform(pool.workerDetached(slot: slot, now: now()))
            logger.notice(
                "bridge connected",
                metadata: [
                    "principal": "\(principal)", "bridge": "\(bridgeID)", "pid": "\(pid)",
                    "root": "\(bridges.bridge(principal: principal)?.root ?? "")", "write": "\(allowWrite)",
                    "exec": "\(allowExec)", "mount": "\(helper.mountPoint)",
                ])
        }
    }

    /// Asks the FUSE manager to mount `principal`'s bridge on a fresh stream socket; returns
    /// the mount point and the bridge worker's end of the socket (the caller's to close).
    private func requestMount(principal: String) throws -> (mountPoint: String, workerEnd: Int32) {
        guard let manager = children.all.first(where: { $0.assignment == .fuseHelper }), let channel = manager.channel else {
            throw BridgeMountUnavailable.noManager
        }
        // `<state>/bridges/p-<hex>`, created (0700, as is `bridges/`) when missing.
        guard let mountPoint = BridgePaths.mountPoint(stateDirectory: configuration.stateDirectory, principal: principal) else {
            throw BridgeMountUnavailable.badPrincipal
        }
        let files = FileManager.default
        try files.createDirectory(
            atPath: configuration.stateDirectory + "/bridges", withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        if !files.fileExists(atPath: mountPoint) {
            try files.createDirectory(atPath: mountPoint, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }
        let (helperEnd, workerEnd) = try UnixStreamSocket.makePair()
        do {
            try channel.send(FuseManagerRequest.mount(mountPoint: mountPoint).encode(), passing: OwnedDescriptor(adopting: helperEnd))
        } catch {
            closeDescriptor(workerEnd)
            throw error
        }
        return (mountPoint, workerEnd)
    }

    /// The FUSE manager was reaped: every mount went with it (its children unmount on its
    /// death), so every bridge is closed and further bridges are refused. It is not started
    /// again: it needs root, which the supervisor no longer has.
    func fuseManagerExited(exit: ChildExit, metadata: Logger.Metadata) {
        if exitAfterBridges == nil {
            logger.critical(
                "the FUSE manager exited; bridges are refused until the server restarts", metadata: metadata)
            for child in children.all where child.assignment == .bridgeWorker { send(.shutdown, toPID: child.pid) }
        } else {
            logger.info("FUSE manager exited", metadata: metadata)
        }
        finishIfBridgesAreGone()
    }

    /// A bridge worker's channel: it reports the bridge calls it relayed (for the metrics and
    /// `ccproxyctl bridges`), and nothing else; anything else is a violation.
    func handleBridgeWorkerFrame(_ bytes: [UInt8], pid: Int32) {
        let message: WorkerMessage
        do {
            message = try WorkerMessage.decode(bytes, maxBytes: Limits.maxWorkerFrameBytes)
        } catch {
            violation(pid: pid, reason: "\(error)")
            return
        }
        guard case .bridgeCallObserved(let call) = message else {
            violation(pid: pid, reason: "message \(message.code) from a bridge worker, which may only report bridge calls")
            return
        }
        metrics.record(call)
        bridges.callAnswered(workerPID: pid)
    }

    /// A bridge worker was reaped: its principal may connect again at once.
    func bridgeWorkerExited(pid: Int32, exit: ChildExit, metadata: Logger.Metadata) {
        var metadata = metadata
        if let entry = bridges.workerExited(pid: pid) {
            metadata["principal"] = "\(entry.principal)"
            metadata["bridge"] = "\(entry.bridgeID)"
            // The worker's end of the mount's channel closed with it: the mount ends. Its
            // point goes once it is empty (the FUSE manager keeps no right to remove it;
            // still mounted for a moment, the next bridge of the principal reuses it).
            if let mountPoint = entry.mountPoint { rmdir(mountPoint) }
        }
        if case .exited(.finished) = exit {
            logger.notice("bridge disconnected", metadata: metadata)
        } else {
            logger.warning("bridge disconnected: its worker did not exit cleanly", metadata: metadata)
        }
        finishIfBridgesAreGone()
    }

    var hasBridgeWorkers: Bool {
        children.all.contains { $0.assignment == .bridgeWorker }
    }

    var fuseManagerPID: Int32? {
        children.all.first { $0.assignment == .fuseHelper }?.pid
    }

    /// A stop that waited for the bridges: once the last bridge worker is gone, the FUSE
    /// manager's channel is closed (it unmounts what is left and exits); once it is reaped
    /// too, the supervisor stops.
    private func finishIfBridgesAreGone() {
        guard let pending = exitAfterBridges, !hasBridgeWorkers else { return }
        if let manager = fuseManagerPID {
            if let channel = children[manager]?.channel {
                channel.close()
                children[manager]?.channel = nil
            }
            return
        }
        logger.info("all workers and bridges exited, stopping")
        exitAfterBridges = nil
        finish(code: pending.code)
    }

    /// Stop requested: every bridge worker closes its websocket ("server shutting down",
    /// so the daemon reconnects to the next server) and exits.
    func closeBridges() {
        for child in children.all where child.assignment == .bridgeWorker {
            send(.shutdown, toPID: child.pid)
        }
    }

    /// The pool has stopped: exit now, or once the bridge workers are gone (killed after
    /// `bridgeCloseGraceSeconds`, so a stuck websocket never holds the stop).
    func exitOnceBridgesAreGone(code: Int32) {
        guard hasBridgeWorkers || fuseManagerPID != nil else {
            logger.info("all workers exited, stopping")
            finish(code: code)
            return
        }
        closeBridges()
        if hasBridgeWorkers { logger.info("pool stopped; waiting for bridge workers to close their websockets") }
        exitAfterBridges = (code, now() + Self.bridgeCloseGraceSeconds, false)
        finishIfBridgesAreGone()
    }

    /// Each loop turn: bridge workers still alive past the stop's grace are killed (once);
    /// their reaping finishes the stop.
    /// The FUSE manager cannot be killed by the dropped supervisor; once it is also late
    /// (a second grace), the supervisor stops without it (its parent-death signal stops it).
    func bridgeExitTick(now time: Double) {
        guard var pending = exitAfterBridges, time >= pending.deadline else { return }
        if pending.killed {
            guard time >= pending.deadline + Self.bridgeCloseGraceSeconds else { return }
            logger.warning("the FUSE manager did not stop in time; stopping without it")
            exitAfterBridges = nil
            finish(code: pending.code)
            return
        }
        pending.killed = true
        exitAfterBridges = pending
        for child in children.all where child.assignment == .bridgeWorker {
            logger.warning("bridge worker did not close in time, killing it", metadata: ["pid": "\(child.pid)"])
            _ = kill(child.pid, SIGKILL)
        }
        finishIfBridgesAreGone()
    }
}
