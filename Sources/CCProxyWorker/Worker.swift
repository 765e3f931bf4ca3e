// Runs in: a worker (`ccproxy-worker`).
// The worker's life: hello, then serve one handed-off connection at a time until told to
// stop; exit when the supervisor's channel closes (the supervisor is gone). A connection
// goes back to the supervisor when its head has not arrived yet (it is only peeked at) or
// when it is idle between keep-alive requests: a worker never waits on a slow client.

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Dispatch
import Foundation
public import Logging
import NIOPosix

/// A worker process: receives client connections over its channel and serves them.
public struct Worker {
    private let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    /// Runs the worker. Returns the exit code (see `WorkerExit`).
    public func run() async -> WorkerExit {
        let settings: ProxySettings
        do {
            let bytes = try SealedMemoryFile.readAll(WorkerDescriptors.settings, maxBytes: 64 * 1024 * 1024)
            settings = try JSONDecoder().decode(ProxySettings.self, from: Data(bytes))
            closeDescriptor(WorkerDescriptors.settings)
        } catch {
            logger.critical("cannot read the settings snapshot at fd 4", metadata: ["error": "\(error)"])
            return .fatalConfiguration
        }
        SignalPipe.ignoreBrokenPipe()
        let client = SupervisorClient(channel: SeqPacketChannel(fd: WorkerDescriptors.channel)) {
            // Parent-death watch: the supervisor is gone, so is this worker (and its turn).
            TurnRegistry.stopAll()
            exit(WorkerExit.supervisorGone.rawValue)
        }
        let slot: UInt32
        do {
            slot = try await client.connect()
        } catch {
            logger.critical("handshake with the supervisor failed", metadata: ["error": "\(error)"])
            return .fatalConfiguration
        }
        var logger = self.logger
        logger[metadataKey: "slot"] = "\(slot)"
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let context = WorkerContext(
            settings: settings, supervisor: client, logger: logger, eventLoopGroup: group,
            claudeEnvironment: ProcessSpawner.currentEnvironment())
        let server = ConnectionServer(context: context)
        logger.debug("worker ready")
        for await event in client.events {
            switch event {
            case .connection(let id, let received):
                guard let descriptor = received.take() else { continue }
                do {
                    if try await serve(descriptor, id: id, server: server, context: context) == .bridgeEnded {
                        // A bridge worker is out of the pool for good: its life ends with the bridge.
                        try? await group.shutdownGracefully()
                        return .finished
                    }
                } catch {
                    return .supervisorGone
                }
            case .scrape(let id, let received, let exposition):
                guard let descriptor = received.take() else { continue }
                // A scrape is answered here and closed: never handed back (the supervisor
                // would take its next request for an API request).
                _ = await server.serve(descriptor: descriptor.relinquish(), connectionID: id, exposition: exposition)
                do { try client.send(.connectionDone) } catch { return .supervisorGone }
            case .continueWaitingTurn(let id, let received, let followUp):
                guard let descriptor = received.take() else { continue }
                do {
                    try await continueWaitingTurn(descriptor, id: id, followUp: followUp, server: server, context: context)
                } catch {
                    return .supervisorGone
                }
            case .endWaitingTurn:
                if let link = WaitingTurns.current {
                    link.end()
                    await link.finished()
                }
                do { try client.send(.waitingTurnEnded) } catch { return .supervisorGone }
            case .waitingTurnOver:
                // The waiting turn's claude exited: the turn is over (its task has finished).
                do { try client.send(.waitingTurnEnded) } catch { return .supervisorGone }
            case .shutdown:
                logger.debug("asked to stop")
                if let link = WaitingTurns.current {
                    // A turn waiting on a client does not hold a drain up.
                    link.end()
                    await link.finished()
                }
                try? await group.shutdownGracefully()
                return .finished
            }
        }
        return .supervisorGone
    }

    /// What serving a connection made of this worker.
    private enum Served {
        /// Still a pool worker, ready for the next connection.
        case poolWorker
        /// It held a bridge, which has ended: the worker exits.
        case bridgeEnded
    }

    /// Serves one handed-off connection and tells the supervisor how it ended.
    /// - Throws: when the channel to the supervisor fails.
    private func serve(
        _ descriptor: consuming OwnedDescriptor, id: UInt64, server: ConnectionServer, context: WorkerContext
    ) async throws -> Served {
        let client = context.supervisor
        switch HeadProbe.probe(descriptor.rawValue) {
        case .closed:
            descriptor.close()
            try client.send(.connectionDone)
            return .poolWorker
        case .incomplete(let pending):
            try client.send(
                .handBack(connectionID: id, reason: .incompleteHead, pendingBytes: UInt32(clamping: pending)),
                passing: descriptor)
            return .poolWorker
        case .complete:
            break
        }
        let outcome = await server.serve(descriptor: descriptor.relinquish(), connectionID: id)
        switch consume outcome {
        case .closed:
            try client.send(.connectionDone)
        case .handBack(let socket):
            try client.send(.handBack(connectionID: id, reason: .keepAlive, pendingBytes: 0), passing: socket)
        case .bridge(let socket, let admission):
            return try await serveBridge(socket, admission: admission, id: id, context: context)
        case .waitingTurn(let socket, let followUp):
            try client.send(.passToWaitingTurn(connectionID: id, followUp: followUp), passing: socket)
        }
        return .poolWorker
    }

    /// The follow-up of this worker's waiting turn, on a connection passed from the worker
    /// that read it: answered here, then the connection is done or handed back as usual.
    private func continueWaitingTurn(
        _ descriptor: consuming OwnedDescriptor, id: UInt64, followUp: FollowUp, server: ConnectionServer, context: WorkerContext
    ) async throws {
        let client = context.supervisor
        guard let link = WaitingTurns.current else {
            // The turn ended (its claude exited) as its follow-up was passed over: the
            // connection closes unanswered, and the client's retry is served from the transcript.
            logger.warning("a follow-up came for a waiting turn that is over", metadata: ["connection": "\(id)"])
            descriptor.close()
            try client.send(.connectionDone)
            return
        }
        let outcome = await server.serve(descriptor: descriptor.relinquish(), connectionID: id, continuing: (followUp, link))
        switch consume outcome {
        case .closed:
            try client.send(.connectionDone)
        case .handBack(let socket):
            try client.send(.handBack(connectionID: id, reason: .keepAlive, pendingBytes: 0), passing: socket)
        case .bridge(let socket, _):
            socket.close()
            try client.send(.connectionDone)
        case .waitingTurn(let socket, let next):
            try client.send(.passToWaitingTurn(connectionID: id, followUp: next), passing: socket)
        }
    }

    /// A `/bridge` websocket: refused (or gone before the daemon's hello), the worker stays
    /// in the pool; registered, it is a bridge worker until the websocket ends, closing it
    /// when the supervisor says stop.
    private func serveBridge(
        _ socket: consuming OwnedDescriptor, admission: BridgeAdmission, id: UInt64, context: WorkerContext
    ) async throws -> Served {
        var logger = context.logger
        logger[metadataKey: "connection"] = "\(id)"
        logger[metadataKey: "request_id"] = "\(admission.requestID)"
        let session = BridgeWorkerSession(context: context, logger: logger)
        let open: BridgeWorkerSession.Open
        do {
            open = try await session.open(descriptor: socket.relinquish(), admission: admission)
        } catch {
            logger.warning("could not adopt the bridge socket", metadata: ["error": "\(error)"])
            try context.supervisor.send(.connectionDone)
            return .poolWorker
        }
        guard let bridgeID = try? await open.decided.get() else {
            try? await open.closed.get()
            try context.supervisor.send(.connectionDone)
            return .poolWorker
        }
        logger.info("holding bridge", metadata: ["bridge": "\(bridgeID)", "principal": "\(admission.grant.principal ?? "")"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // The pool is behind this worker: the only event left for it is the stop.
                for await event in context.supervisor.events {
                    if case .shutdown = event {
                        open.shutdown()
                        return
                    }
                }
            }
            try? await open.closed.get()
            group.cancelAll()
        }
        logger.info("bridge ended", metadata: ["bridge": "\(bridgeID)"])
        return .bridgeEnded
    }
}
