// Runs in: ccproxy-bridge (the laptop-side daemon).
import CCProxyBridgeProtocol
import CCProxyCore
import CCProxyPosix
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// Why the daemon could not start (reported once, exit status 1). After start-up nothing
/// is fatal: every connection problem is logged and retried.
public enum BridgeStartupError: Error, CustomStringConvertible {
    case root(String, PosixError)
    case audit(String, PosixError)
    case tls(String)
    case watch(PosixError)

    public var description: String {
        switch self {
        case .root(let path, let e): "--root \(path): \(e)"
        case .audit(let path, let e): "--audit \(path): \(e)"
        case .tls(let why): "TLS: \(why)"
        case .watch(let e): "--watch: \(e)"
        }
    }
}

/// The daemon: dials the server, serves its requests, and when the connection is lost,
/// refused, or never made, dials again after `ReconnectBackoff`'s delay, forever, logging
/// each attempt. `stop()` (SIGINT/SIGTERM) says `bye`, closes, and ends `run()`.
public final class BridgeClient: Sendable {
    private let options: BridgeDaemonOptions
    private let logger: Logger
    private let dispatcher: BridgeDispatcher
    private let link = BridgeLink()
    private let sslContext: NIOSSLContext?
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let stopping = NIOLockedValueBox(false)
    private let watcher: TreeWatcher?

    public init(options: BridgeDaemonOptions, logger: Logger) throws(BridgeStartupError) {
        self.options = options
        self.logger = logger
        let fs: RootedFileSystem
        do {
            fs = try RootedFileSystem(root: options.root)
        } catch {
            throw .root(options.root, error)
        }
        var audit: AuditLog?
        if let path = options.auditPath {
            do {
                audit = try AuditLog(path: path)
            } catch {
                throw .audit(path, error)
            }
        }
        var confirmer: TerminalConfirmer?
        if options.confirm {
            let c = TerminalConfirmer()
            if !c.interactive { logger.warning("--confirm: stdin is not a terminal; operations are approved without asking") }
            confirmer = c
        }
        dispatcher = BridgeDispatcher(fs: fs, options: options, confirmer: confirmer, audit: audit, logger: logger)
        if options.server.tls {
            var tls = TLSConfiguration.makeClientConfiguration()
            if let ca = options.caFile { tls.trustRoots = .file(ca) }
            do {
                sslContext = try NIOSSLContext(configuration: tls)
            } catch {
                throw .tls("\(error)")
            }
        } else {
            sslContext = nil
        }
        if options.watch {
            let link = self.link
            let dispatcher = self.dispatcher
            do {
                watcher = try TreeWatcher(root: fs.rootPath, policy: { dispatcher.policy() }, logger: logger) { event in
                    link.send(BridgeCodec.event(.watch(event)))
                }
            } catch {
                throw .watch(error)
            }
        } else {
            watcher = nil
        }
        logger.info(
            "serving",
            metadata: [
                "root": "\(fs.rootPath)", "server": "\(options.server)", "allow_write": "\(options.allowWrite)",
                "allow_exec": "\(options.allowExec)", "watch": "\(options.watch)",
            ])
    }

    /// Connects, serves, reconnects; returns after `stop()`.
    public func run() async {
        watcher?.start()
        var backoff = ReconnectBackoff()
        var attempt = 0
        while !stopping.withLockedValue({ $0 }) {
            attempt += 1
            logger.info("connecting", metadata: ["server": "\(options.server)", "attempt": "\(attempt)"])
            link.reset()
            do {
                let channel = try await connect()
                // A stop that came while connecting found no connection to close.
                if stopping.withLockedValue({ $0 }) { _ = link.sayGoodbye(reason: "daemon stopping") }
                try? await channel.closeFuture.get()
                link.detach()
                // A refusal after the handshake (another daemon holds the principal's
                // bridge) keeps backing off, up to the cap; anything else was a working
                // connection, and the next attempt comes fast.
                if link.handshakeCompleted && !link.refused {
                    backoff.reset()
                    attempt = 0
                }
                logger.warning("connection ended", metadata: ["reason": "\(link.closeReason ?? "closed")"])
            } catch {
                link.detach()
                logger.warning("connection failed", metadata: ["error": "\(link.closeReason ?? "\(error)")"])
            }
            if stopping.withLockedValue({ $0 }) { break }
            let delay = backoff.nextDelay(jitter: Double.random(in: 0..<1))
            logger.info("reconnecting", metadata: ["in_seconds": "\(String(format: "%.2f", delay))"])
            do {
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            } catch {
                break
            }
        }
        try? await group.shutdownGracefully()
    }

    /// Ends the daemon: `bye` to the server, close, and `run()` returns.
    public func stop(reason: String) async {
        stopping.withLockedValue { $0 = true }
        logger.info("stopping", metadata: ["reason": "\(reason)"])
        if let closed = link.sayGoodbye(reason: reason) { try? await closed.get() }
    }

    /// One connection: TCP (and TLS), the upgrade, then the session handler. Returns once
    /// the websocket is up; throws if it could not be made or was refused.
    private func connect() async throws -> any Channel {
        let options = self.options
        let link = self.link
        let dispatcher = self.dispatcher
        let logger = self.logger
        let sslContext = self.sslContext
        let upgraded = group.next().makePromise(of: Void.self)
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(Int64(Limits.bridgeConnectTimeoutSeconds * 1000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext {
                        let isIP = (try? SocketAddress(ipAddress: options.server.host, port: 0)) != nil
                        try sync.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: isIP ? nil : options.server.host))
                    }
                    let upgrader = NIOWebSocketClientUpgrader(
                        maxFrameSize: Limits.maxBridgeFrameBytes, automaticErrorHandling: true
                    ) { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandlers([
                                NIOWebSocketFrameAggregator(
                                    minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1024,
                                    maxAccumulatedFrameSize: Limits.maxBridgeFrameBytes),
                                BridgeSessionHandler(dispatcher: dispatcher, link: link, logger: logger),
                            ])
                            upgraded.succeed()
                        }
                    }
                    // The server's hello may arrive in the same read as its 101: the bytes
                    // after the response go on to the websocket decoder, not away.
                    try sync.addHTTPClientHandlers(
                        leftOverBytesStrategy: .forwardBytes,
                        withClientUpgrade: (
                            upgraders: [upgrader],
                            completionHandler: { context in
                                context.pipeline.removeHandler(name: UpgradeRequestHandler.name, promise: nil)
                            }
                        ))
                    try sync.addHandler(
                        UpgradeRequestHandler(
                            target: options.server.target, host: options.server.hostHeader, token: options.token, link: link),
                        name: UpgradeRequestHandler.name)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: options.server.host, port: options.server.port).get()
        } catch {
            upgraded.fail(error)
            throw error
        }
        link.attach(channel)
        // The upgrade must complete in time; a server that accepted TCP and went quiet is
        // dropped like one that refused.
        let timeout = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(Limits.bridgeConnectTimeoutSeconds * 1000))) {
            link.recordClose("no websocket upgrade within \(Int(Limits.bridgeConnectTimeoutSeconds)) s")
            upgraded.fail(ChannelError.connectTimeout(.seconds(Int64(Limits.bridgeConnectTimeoutSeconds))))
            channel.close(promise: nil)
        }
        channel.closeFuture.whenComplete { _ in upgraded.fail(ChannelError.ioOnClosedChannel) }
        do {
            try await upgraded.futureResult.get()
        } catch {
            timeout.cancel()
            try? await channel.close()
            throw error
        }
        timeout.cancel()
        logger.info("connected", metadata: ["server": "\(options.server)"])
        return channel
    }
}
