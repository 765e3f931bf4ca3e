// Runs in: the supervisor (`ccproxy serve`).
// The supervisor's side of the worker channels: a closed set of typed requests, each
// answered from the supervisor's own state; anything else is a protocol violation and costs
// the worker its life (OpenSSH's monitor policy).

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Glibc
import Logging

extension Supervisor {
    func readChannel(slot: UInt32) {
        guard let channel = channels[slot] else { return }
        let received: SeqPacketChannel.Received
        do {
            received = try channel.receive(maxBytes: Limits.maxWorkerFrameBytes, nonBlocking: true)
        } catch {
            violation(slot: slot, reason: "\(error)")
            return
        }
        switch received {
        case .wouldBlock:
            return
        case .closed:
            // The worker is exiting; the reaper does the accounting.
            channels.removeValue(forKey: slot)?.close()
        case .message(let bytes, let descriptor):
            if let descriptor {
                closeDescriptor(descriptor)
                violation(slot: slot, reason: "worker sent a descriptor")
                return
            }
            do {
                handle(try WorkerMessage.decode(bytes, maxBytes: Limits.maxWorkerFrameBytes), from: slot)
            } catch {
                violation(slot: slot, reason: "\(error)")
            }
        }
    }

    func handle(_ message: WorkerMessage, from slot: UInt32) {
        switch message {
        case .hello(let version, _):
            guard version == ProtocolVersion.current else {
                violation(slot: slot, reason: "protocol version \(version), expected \(ProtocolVersion.current)")
                return
            }
            send(.welcome(protocolVersion: ProtocolVersion.current, slot: slot), to: slot)
            perform(pool.workerReady(slot: slot, now: now()))
        case .authorize(let correlation, let bearer, let scope):
            guard bearer.utf8.count <= Limits.maxBearerBytes else {
                send(.refused(correlation: correlation, status: 401, type: "authentication_error", code: "invalid_api_key", message: "invalid bearer token"), to: slot)
                return
            }
            switch authority.authorize(bearer: bearer, scope: scope) {
            case .success(let grant):
                send(.authorized(correlation: correlation, grant: grant), to: slot)
            case .failure(let error):
                send(
                    .refused(
                        correlation: correlation, status: UInt16(clamping: error.status), type: error.type, code: error.code,
                        message: error.message, retryAfterSeconds: UInt32(clamping: error.retryAfterSeconds ?? 0)),
                    to: slot)
            }
        case .turnFinished(let tokenID, let input, let output):
            authority.recordUsage(tokenID: tokenID, inputTokens: input, outputTokens: output)
        case .turnStarted(let group):
            turnGroups[slot] = group
        case .turnEnded:
            turnGroups[slot] = nil
        case .connectionDone:
            turnGroups[slot] = nil
            perform(pool.connectionDone(slot: slot, now: now()))
        }
    }

    /// A worker broke the protocol: it is not trusted further (OpenSSH monitor policy).
    func violation(slot: UInt32, reason: String) {
        let pid = pool.slots[slot]?.pid ?? 0
        logger.critical("worker protocol violation, killing it", metadata: ["slot": "\(slot)", "pid": "\(pid)", "reason": "\(reason)"])
        if pid > 0 { _ = kill(pid, SIGKILL) }
        channels.removeValue(forKey: slot)?.close()
    }

    func send(_ message: SupervisorMessage, to slot: UInt32, attaching fd: Int32? = nil) {
        guard let channel = channels[slot] else { return }
        do {
            try channel.send(message.encode(), attaching: fd)
        } catch {
            logger.warning("could not write to worker, ignoring", metadata: ["slot": "\(slot)", "error": "\(error)"])
        }
    }
}
