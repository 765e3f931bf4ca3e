// Runs in: the supervisor (`ccproxy serve`).
// The admin socket (`ccproxyctl`): one request, one reply, same user or root only. Served
// from the poll loop without blocking: a connection is read only when readable and dropped
// at its per-frame deadline (`Limits.adminFrameDeadlineSeconds`).

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Glibc
import Logging

extension Supervisor {
    /// Accepts admin connections; each waits (non-blocking) for its request frame.
    func serveAdminConnection() {
        for _ in 0..<Limits.acceptBatch {
            guard let accepted = try? TCPListener.accept(adminFD) else { return }
            let fd = accepted.rawValue
            guard UnixStreamSocket.peerUID(fd) == getuid() || UnixStreamSocket.peerUID(fd) == 0 else {
                logger.warning("admin connection from another user refused")
                continue
            }
            guard (try? setNonBlocking(fd, true)) != nil else { continue }
            // Full: the one that has waited longest goes, so that silent clients cannot keep
            // a real `ccproxyctl` out.
            if adminClients.count >= Limits.maxPendingAdminConnections,
                let oldest = adminClients.min(by: { $0.value.deadline < $1.value.deadline })?.key
            {
                logger.warning("too many admin connections waiting for their request; closed the oldest")
                adminClients[oldest] = nil
            }
            adminClients[fd] = PendingAdminClient(descriptor: accepted, deadline: now() + Limits.adminFrameDeadlineSeconds)
        }
    }

    /// poll(2) said an admin connection is readable: read what is there; once the frame is
    /// complete, answer and close.
    func adminClientReadable(_ fd: Int32) {
        guard let client = adminClients[fd] else { return }
        let frame: [UInt8]?
        do {
            switch try NonBlockingRead.read(fd, maxBytes: 64 * 1024) {
            case .wouldBlock:
                return
            case .endOfFile:
                adminClients[fd] = nil
                return
            case .bytes(let bytes):
                frame = try client.append(bytes, maxBytes: Limits.maxAdminFrameBytes)
            }
        } catch {
            answerAdmin(fd, .error("bad request: \(error)"))
            return
        }
        guard let frame else { return }
        let reply: AdminReply
        do {
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
        answerAdmin(fd, reply)
    }

    /// Writes the reply without blocking (a reply that does not fit the socket buffer of a
    /// client that does not read is dropped) and closes the connection.
    private func answerAdmin(_ fd: Int32, _ reply: AdminReply) {
        do {
            try writeAll(fd, reply.encode())
        } catch {
            logger.warning("could not write an admin reply, dropped", metadata: ["error": "\(error)"])
        }
        adminClients[fd] = nil  // the record owns the descriptor: this closes it
    }

    /// Admin connections whose request did not arrive in time are closed.
    func expireAdminClients(now time: Double) {
        for (fd, client) in adminClients where client.deadline <= time {
            logger.warning("an admin connection sent no complete request in time; closed")
            adminClients[fd] = nil
        }
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
