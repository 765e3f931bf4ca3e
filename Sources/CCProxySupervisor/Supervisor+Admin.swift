// Runs in: the supervisor (`ccproxy serve`).
// The admin socket (`ccproxyctl`): one request, one reply, same user or root only.

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Glibc
import Logging

extension Supervisor {
    func serveAdminConnection() {
        guard let accepted = try? TCPListener.accept(adminFD) else { return }
        let fd = accepted.rawValue
        guard UnixStreamSocket.peerUID(fd) == getuid() || UnixStreamSocket.peerUID(fd) == 0 else {
            logger.warning("admin connection from another user refused")
            return
        }
        let reply: AdminReply
        do {
            let frame = try AdminConnection.readFrame(fd, maxBytes: Limits.maxAdminFrameBytes)
            switch try AdminRequest.decode(frame, maxBytes: Limits.maxAdminFrameBytes) {
            case .status:
                reply = .status(statusReport())
            case .reload:
                reply = .reloaded(reload(origin: "ccproxyctl reload"))
            case .sessions:
                do {
                    reply = .sessions(try sessionReports())
                } catch {
                    reply = .error("session registry: \(error)")
                }
            case .endSession(let owner, let name):
                reply = endSessions(owner: owner, name: name)
            }
        } catch {
            reply = .error("bad request: \(error)")
        }
        try? writeAll(fd, reply.encode())
        accepted.close()
    }

    func statusReport() -> StatusReport {
        var draining = false
        if case .draining = pool.lifecycle { draining = true }
        let workers = pool.slots.values.sorted { $0.id < $1.id }.map {
            WorkerReport(slot: $0.id, pid: $0.pid, state: $0.stateName, served: UInt64($0.served), generation: $0.generation)
        }
        return StatusReport(
            supervisorPID: getpid(), listening: listenDescription, draining: draining,
            queued: UInt32(pool.queue.count), workers: workers, keepAliveIdle: UInt32(pool.keepAliveCount),
            generation: pool.generation, refused: pool.counters.refusedTotal, respawnHalted: pool.respawnHaltReason)
    }
}
