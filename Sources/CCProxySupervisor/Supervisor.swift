// Runs in: the supervisor (`ccproxy serve`).
// The I/O shell around `WorkerPoolStateMachine`: one thread, one poll(2) loop (like
// PostgreSQL's postmaster ServerLoop). It accepts connections and hands them to workers
// without reading a byte of them (invariant 2), holds kept-alive connections until they are
// readable, answers worker requests, reaps children and serves the admin socket. Signals
// arrive as bytes on a self-pipe; the loop acts on them. Time is the monotonic clock.
// argon2 and SQLite run on the authority thread (`AuthorityService`); their answers come
// back as poll events, and the loop trusts a worker only for what its `SlotLedger` holds.

import CCProxyCore
import CCProxyPosix
public import CCProxySystemd
import CCProxyWire
import Foundation
import Glibc
public import Logging

/// The supervisor process.
public final class Supervisor {
    var configuration: SupervisorConfiguration
    let authority: any WorkerRequestAuthority
    let logger: Logger
    let notifier = Notifier()
    var pool: WorkerPoolStateMachine
    /// What each pool worker was granted (connection, tokens, claude process group, session
    /// lease).
    var ledger = SlotLedger()
    /// The authority thread (argon2, SQLite); created in `setUp`.
    var authorityService: AuthorityService?
    var listenerFD: Int32 = -1
    var listenDescription = ""
    /// The `metrics_listen` socket, or -1.
    var metricsFD: Int32 = -1
    /// Requests and claude turns of every worker, summed (see `MetricsAggregate`).
    var metrics = MetricsAggregate()
    /// Held connections accepted on the metrics listener (handed off as scrapes).
    var scrapeConnections: Set<UInt64> = []
    var adminFD: Int32 = -1
    /// Admin connections waiting for their request frame, by descriptor.
    var adminClients: [Int32: PendingAdminClient] = [:]
    /// Admin connections whose token operation runs on the authority thread, by job id.
    var adminAwaiting: [UInt64: PendingAdminClient] = [:]
    var nextAdminJob: UInt64 = 1
    private var signals: SignalPipe?
    /// Sealed settings snapshots by configuration generation (workers of a generation still
    /// alive keep theirs; older ones are closed when no worker of theirs is left).
    var settingsSnapshots: [UInt32: Int32] = [:]
    /// Every child by pid, with its role and channel.
    var children = ChildTable()
    /// The connected bridges and the bridge workers holding them.
    var bridges = BridgeRegistry()
    /// Set when the pool has stopped while bridge workers were still closing their
    /// websockets: the code to exit with once they are gone, and when to stop waiting.
    var exitAfterBridges: (code: Int32, deadline: Double, killed: Bool)?
    /// Client connections the supervisor holds (accepted, queued or parked), by id.
    var held: [UInt64: HeldConnection] = [:]
    /// Follow-ups passed for a waiting turn whose worker has not finished its first
    /// connection yet, by connection id (their descriptors are in `held`).
    var passedFollowUps: [UInt64: FollowUp] = [:]
    var nextConnectionID: UInt64 = 1
    /// While accept(2) fails for lack of descriptors, accepting pauses until this time.
    var acceptPausedUntil: Double?
    var systemd = SystemdReporter()
    /// The persistent-session registry until `setUp` gives it to the authority thread, which
    /// alone uses it from then on.
    private var sessionRegistry: SessionRegistry?
    /// Whether the registry could be opened (sessions are otherwise refused with 503, and
    /// everything else works).
    let sessionsAvailable: Bool
    /// When idle sessions are next looked for (monotonic seconds).
    var nextSessionSweep: Double = 0
    private var exitCode: Int32?
    /// When the supervisor was created (monotonic seconds), for the uptime in status.
    let startedAt = MonotonicClock.seconds()

    public init(
        configuration: SupervisorConfiguration, authority: any WorkerRequestAuthority, sessions: SessionRegistry? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.authority = authority
        self.sessionRegistry = sessions
        self.sessionsAvailable = sessions != nil
        self.logger = logger
        self.pool = WorkerPoolStateMachine(policy: configuration.policy)
    }

    /// Runs until the pool has drained after SIGTERM/SIGINT. Returns the process exit code.
    /// - Parameter listened: sockets inherited from systemd (taken before any thread started).
    public func run(listened: ListenedSockets) throws -> Int32 {
        try setUp(listened: listened)
        defer { tearDown() }
        perform(pool.start(now: now()))
        while exitCode == nil {
            try loopOnce()
        }
        return exitCode ?? 0
    }

    // MARK: - Setup

    private func setUp(listened: ListenedSockets) throws {
        SignalPipe.ignoreBrokenPipe()
        do {
            let (before, after) = try ResourceLimits.raiseOpenFilesToHardLimit()
            if after != before { logger.debug("raised the open-files limit", metadata: ["from": "\(before)", "to": "\(after)"]) }
        } catch {
            logger.warning("could not raise the open-files limit, ignoring", metadata: ["error": "\(error)"])
        }
        signals = try SignalPipe(signals: [SIGCHLD, SIGTERM, SIGINT, SIGHUP])
        if let manager = configuration.fuseManager {
            try setNonBlocking(manager.channel.fd, true)
            children.add(Child(pid: manager.pid, assignment: .fuseHelper, channel: manager.channel, greeted: true))
        }
        let service = try AuthorityService(authority: authority, sessions: sessionRegistry, logger: logger)
        sessionRegistry = nil
        service.start()
        authorityService = service
        if let inherited = listened.httpListener {
            listenerFD = inherited
            try setNonBlocking(listenerFD, true)
            listenDescription = "systemd socket (port \(TCPListener.localPort(inherited).map(String.init) ?? "?"))"
        } else {
            listenerFD = try TCPListener.bind(host: configuration.listenHost, port: configuration.listenPort)
            let port = TCPListener.localPort(listenerFD) ?? configuration.listenPort
            let host = configuration.listenHost.isEmpty ? "*" : configuration.listenHost
            listenDescription = "\(host):\(port)"
        }
        // A connection reaches a worker only once it has sent something: idle connections
        // cannot tie up the pool (they wait in the kernel, then time out with the read limit).
        do {
            try TCPListener.deferAccept(listenerFD, seconds: Int32(Limits.requestReadTimeoutSeconds))
        } catch {
            logger.warning("could not set TCP_DEFER_ACCEPT, ignoring", metadata: ["error": "\(error)"])
        }
        try setUpMetricsListener(listened: listened)
        let adminPath = AdminSocket.path(stateDirectory: configuration.stateDirectory)
        adminFD = try UnixStreamSocket.listen(path: adminPath)
        settingsSnapshots[pool.generation] = try Self.sealSnapshot(configuration.settings)
        systemd.configureWatchdog(notifier.watchdogInterval())
        logger.info(
            "listening",
            metadata: ["address": "\(listenDescription)", "admin_socket": "\(adminPath)", "pid": "\(getpid())"])
    }

    /// Writes the settings a worker receives into a sealed memory file.
    static func sealSnapshot(_ settings: ProxySettings) throws -> Int32 {
        let snapshot = try JSONEncoder().encode(settings)
        return try SealedMemoryFile.create(name: "ccproxy-settings", bytes: Array(snapshot))
    }

    private func tearDown() {
        authorityService?.stop()
        closeDescriptor(listenerFD)
        closeDescriptor(metricsFD)
        closeDescriptor(adminFD)
        adminClients.removeAll()
        adminAwaiting.removeAll()
        for fd in settingsSnapshots.values { closeDescriptor(fd) }
        _ = unlink(AdminSocket.path(stateDirectory: configuration.stateDirectory))
        for child in children.all { child.channel?.close() }
        held.removeAll()  // closes every held connection
    }

    /// The monotonic clock, in seconds: every deadline and backoff of the pool uses it.
    func now() -> Double { MonotonicClock.seconds() }

    // MARK: - The loop

    private func loopOnce() throws {
        guard let signals else { return }
        var interests: [Poller.Interest] = [Poller.Interest(fd: signals.readFD), Poller.Interest(fd: adminFD)]
        let authorityFD = authorityService?.wakeFD ?? -1
        if authorityFD >= 0 { interests.append(Poller.Interest(fd: authorityFD)) }
        let adminClientFDs = Set(adminClients.keys)
        for fd in adminClientFDs { interests.append(Poller.Interest(fd: fd)) }
        let accepting = listenerFD >= 0 && acceptPausedUntil == nil
        if accepting { interests.append(Poller.Interest(fd: listenerFD)) }
        let acceptingScrapes = metricsFD >= 0 && acceptPausedUntil == nil
        if acceptingScrapes { interests.append(Poller.Interest(fd: metricsFD)) }
        var channelOwner: [Int32: Int32] = [:]
        for child in children.all {
            guard let channel = child.channel else { continue }
            channelOwner[channel.fd] = child.pid
            interests.append(Poller.Interest(fd: channel.fd))
        }
        var parkedByFD: [Int32: UInt64] = [:]
        for (id, connection) in pool.connections where connection.phase.isParked {
            guard let fd = held[id]?.fd, fd >= 0 else { continue }
            parkedByFD[fd] = id
            interests.append(Poller.Interest(fd: fd, peerClose: true))
        }
        let ready = try Poller().wait(on: interests, timeoutMilliseconds: pollTimeout())
        for event in ready {
            if event.fd == signals.readFD {
                handleSignals(signals.drain())
            } else if event.fd == authorityFD && authorityFD >= 0 {
                authorityAnswered()
            } else if adminClientFDs.contains(event.fd) {
                adminClientReadable(event.fd)
            } else if event.fd == adminFD {
                serveAdminConnection()
            } else if accepting && event.fd == listenerFD && listenerFD >= 0 {
                acceptConnections()
            } else if acceptingScrapes && event.fd == metricsFD && metricsFD >= 0 {
                acceptConnections(from: metricsFD, scrapes: true)
            } else if let pid = channelOwner[event.fd] {
                readChannel(pid: pid)
            } else if let id = parkedByFD[event.fd] {
                parkedConnectionEvent(id, event)
            }
            if exitCode != nil { return }
        }
        let time = now()
        if let until = acceptPausedUntil, time >= until { acceptPausedUntil = nil }
        expireAdminClients(now: time)
        perform(pool.tick(now: time))
        bridgeExitTick(now: time)
        for action in ledger.expireSessionWaits(now: time) { perform(action) }
        sweepSessions(now: time)
        // STATUS= starts with READY=1 (before it, systemd shows "activating").
        if pool.lifecycle != .starting { systemd.loopTurned(now: time, status: statusLine(), notifier: notifier) }
    }

    /// Until the pool's next deadline, the end of an accept pause or the watchdog, at most 1 s.
    private func pollTimeout() -> Int32 {
        let time = now()
        var seconds = 1.0
        if let deadline = pool.nextDeadline(now: time) { seconds = min(seconds, deadline) }
        if let deadline = ledger.sessions.nextDeadline(now: time) { seconds = min(seconds, deadline) }
        if let until = acceptPausedUntil { seconds = min(seconds, max(0, until - time)) }
        if let watchdog = systemd.nextWatchdog { seconds = min(seconds, max(0, watchdog - time)) }
        if let admin = adminClients.values.map(\.deadline).min() { seconds = min(seconds, max(0, admin - time)) }
        return Int32(max(0, (seconds * 1000).rounded(.up)))
    }

    private func handleSignals(_ received: [Int32]) {
        for signal in Set(received) {
            switch signal {
            case SIGCHLD:
                reapChildren()
            case SIGTERM, SIGINT:
                logger.notice("shutdown requested, draining", metadata: ["signal": "\(signal)", "busy": "\(pool.busyCount)"])
                closeBridges()
                perform(pool.shutdownRequested(now: now()))
            case SIGHUP:
                _ = reload(origin: "SIGHUP")
            default:
                break
            }
        }
    }

    /// One line for `STATUS=`: the pool's state.
    func statusLine() -> String {
        var text = "\(pool.idleCount) idle, \(pool.busyCount) busy workers; \(pool.queue.count) queued, "
            + "\(pool.keepAliveCount) idle keep-alive connections; generation \(pool.generation)"
        if case .draining = pool.lifecycle { text = "draining: " + text }
        if let halted = pool.respawnHaltReason { text += "; respawning halted: \(halted)" }
        return text
    }

    func finish(code: Int32) {
        exitCode = code
    }
}
