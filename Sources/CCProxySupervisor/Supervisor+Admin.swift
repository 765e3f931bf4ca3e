// Runs in: the supervisor (`ccproxy serve`).
// The admin socket (`ccproxyctl`): one request, one reply, same user or root only. Served
// from the poll loop without blocking: a connection is read only when readable and dropped
// at its per-frame deadline (`Limits.adminFrameDeadlineSeconds`). Token operations run on the
// authority thread; their connection waits, unpolled, until the reply comes back as an event.

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
            let request = try AdminRequest.decode(frame, maxBytes: Limits.maxAdminFrameBytes)
            switch request {
            case .status:
                reply = .status(statusReport())
            case .reload:
                reply = .reloaded(reload(origin: "ccproxyctl reload"))
            case .bridgeList:
                reply = .bridges(bridges.reports)
            case .sessions, .endSession:
                // Answered when the authority thread is done (SQLite, directory removal).
                guard let refused = submitToAuthority(request, fd: fd) else { return }
                reply = refused
            case .tokenCreate, .tokenList, .tokenRevoke, .tokenRotate, .tokenUpdate:
                // Answered when the authority thread is done (argon2, SQLite).
                guard let refused = submitToAuthority(request, fd: fd) else { return }
                reply = refused
            }
        } catch {
            reply = .error("bad request: \(error)")
        }
        answerAdmin(fd, reply)
    }

    /// Hands a token operation or a session request to the authority thread; the connection
    /// waits, off the poll set, for `authorityAnswered()`. Returns the reply to send now when
    /// it cannot be queued, nil when it was.
    private func submitToAuthority(_ request: AdminRequest, fd: Int32) -> AdminReply? {
        guard let service = authorityService, let client = adminClients[fd] else {
            return .error("the server's authority is not running")
        }
        let job = nextAdminJob
        let queued: Bool
        let kind: String
        switch request {
        case .sessions, .endSession:
            guard let sessionJob = sessionJob(for: request, client: job) else {
                return .error("persistent sessions are not available")
            }
            queued = service.submit(sessionJob)
            kind = "admin session operation"
        default:
            queued = service.submit(AuthorityService.AdminJob(client: job, request: request))
            kind = "admin token operation"
        }
        nextAdminJob &+= 1
        guard queued else {
            return .error("the server is busy; try again")
        }
        logger.info("\(kind)", metadata: ["operation": "\(Self.operationName(request))"])
        client.deadline = now() + Limits.adminTokenOperationSeconds
        adminClients[fd] = nil  // the record (and its descriptor) moves, it is not closed
        adminAwaiting[job] = client
        return nil
    }

    /// A token operation's or session request's reply arrived from the authority thread.
    func adminOperationAnswered(_ answer: AuthorityService.AdminAnswer) {
        guard let client = adminAwaiting.removeValue(forKey: answer.client) else { return }
        let fd = client.fd
        adminClients[fd] = client
        answerAdmin(fd, answer.reply)
    }

    static func operationName(_ request: AdminRequest) -> String {
        switch request {
        case .tokenCreate: "token create"
        case .tokenList: "token list"
        case .tokenRevoke: "token revoke"
        case .tokenRotate: "token rotate"
        case .tokenUpdate: "token update"
        case .status: "status"
        case .reload: "reload"
        case .sessions: "sessions list"
        case .endSession: "sessions end"
        case .bridgeList: "bridges"
        }
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
        for (job, client) in adminAwaiting where client.deadline <= time {
            logger.warning("a token operation was not answered in time; its admin connection was closed")
            adminAwaiting[job] = nil
        }
    }

    func statusReport() -> StatusReport {
        var draining = false
        if case .draining = pool.lifecycle { draining = true }
        // The request id and token name come from the ledger, for busy workers only: an
        // idle worker's last request is over.
        let workers = pool.slots.values.sorted { $0.id < $1.id }.map { slot in
            let busy: Bool
            if case .busy = slot.state { busy = true } else { busy = false }
            return WorkerReport(
                slot: slot.id, pid: slot.pid, state: slot.stateName, served: UInt64(slot.served), generation: slot.generation,
                requestID: busy ? ledger.requestID(slot: slot.id) : nil,
                tokenName: busy ? ledger.activeTokenName(slot: slot.id) : nil)
        }
        return StatusReport(
            supervisorPID: getpid(), listening: listenDescription, draining: draining,
            queued: UInt32(pool.queue.count), workers: workers, keepAliveIdle: UInt32(pool.keepAliveCount),
            generation: pool.generation, refused: pool.counters.refusedTotal, respawnHalted: pool.respawnHaltReason,
            uptimeSeconds: UInt64(max(0, now() - startedAt)), served: pool.counters.handOffs)
    }
}
