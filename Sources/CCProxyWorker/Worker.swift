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
                    try await serve(descriptor, id: id, server: server, client: client)
                } catch {
                    return .supervisorGone
                }
            case .scrape(let id, let received, let exposition):
                guard let descriptor = received.take() else { continue }
                // A scrape is answered here and closed: never handed back (the supervisor
                // would take its next request for an API request).
                _ = await server.serve(descriptor: descriptor.relinquish(), connectionID: id, exposition: exposition)
                do { try client.send(.connectionDone) } catch { return .supervisorGone }
            case .shutdown:
                logger.debug("asked to stop")
                try? await group.shutdownGracefully()
                return .finished
            }
        }
        return .supervisorGone
    }

    /// Serves one handed-off connection and tells the supervisor how it ended.
    /// - Throws: when the channel to the supervisor fails.
    private func serve(
        _ descriptor: consuming OwnedDescriptor, id: UInt64, server: ConnectionServer, client: SupervisorClient
    ) async throws {
        switch HeadProbe.probe(descriptor.rawValue) {
        case .closed:
            descriptor.close()
            try client.send(.connectionDone)
            return
        case .incomplete(let pending):
            try client.send(
                .handBack(connectionID: id, reason: .incompleteHead, pendingBytes: UInt32(clamping: pending)),
                passing: descriptor)
            return
        case .complete:
            break
        }
        let outcome = await server.serve(descriptor: descriptor.relinquish(), connectionID: id)
        switch consume outcome {
        case .closed:
            try client.send(.connectionDone)
        case .handBack(let socket):
            try client.send(.handBack(connectionID: id, reason: .keepAlive, pendingBytes: 0), passing: socket)
        }
    }
}
