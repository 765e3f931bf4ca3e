// Runs in: the supervisor (`ccproxy serve`).
// The I/O shell around `WorkerPoolStateMachine`: one thread, one poll(2) loop (like
// PostgreSQL's postmaster ServerLoop). It accepts connections and hands them to workers
// without reading a byte of them (invariant 2), answers worker requests, reaps children and
// serves the admin socket. Signals arrive as bytes on a self-pipe; the loop acts on them.

import CCProxyCore
import CCProxyPosix
public import CCProxySystemd
import CCProxyWire
import Foundation
import Glibc
public import Logging

/// The supervisor process.
public final class Supervisor {
    let configuration: SupervisorConfiguration
    let authority: any WorkerRequestAuthority
    let logger: Logger
    private let notifier = Notifier()
    var pool: WorkerPoolStateMachine
    private var listenerFD: Int32 = -1
    var listenDescription = ""
    var adminFD: Int32 = -1
    private var signals: SignalPipe?
    private var launcher: WorkerLauncher?
    private var settingsFD: Int32 = -1
    /// Supervisor ends of worker channels, by slot.
    var channels: [UInt32: SeqPacketChannel] = [:]
    /// claude process groups currently running under each slot (see `turnStarted`).
    var turnGroups: [UInt32: Int32] = [:]
    /// Accepted connections not yet handed off, by connection id.
    private var pending: [UInt64: Int32] = [:]
    private var nextConnectionID: UInt64 = 1
    private var exitCode: Int32?
    private let startTime = Date()

    public init(
        configuration: SupervisorConfiguration, authority: any WorkerRequestAuthority, logger: Logger
    ) {
        self.configuration = configuration
        self.authority = authority
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
        signals = try SignalPipe(signals: [SIGCHLD, SIGTERM, SIGINT, SIGHUP])
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
        let adminPath = AdminSocket.path(stateDirectory: configuration.stateDirectory)
        adminFD = try UnixStreamSocket.listen(path: adminPath)
        let snapshot = try JSONEncoder().encode(configuration.settings)
        settingsFD = try SealedMemoryFile.create(name: "ccproxy-settings", bytes: Array(snapshot))
        launcher = WorkerLauncher(executable: configuration.workerExecutable, settingsFD: settingsFD)
        logger.info(
            "listening",
            metadata: ["address": "\(listenDescription)", "admin_socket": "\(adminPath)", "pid": "\(getpid())"])
    }

    private func tearDown() {
        closeDescriptor(listenerFD)
        closeDescriptor(adminFD)
        closeDescriptor(settingsFD)
        _ = unlink(AdminSocket.path(stateDirectory: configuration.stateDirectory))
        for channel in channels.values { channel.close() }
        for fd in pending.values { closeDescriptor(fd) }
    }

    func now() -> Double { Date().timeIntervalSince(startTime) }

    // MARK: - The loop

    private func loopOnce() throws {
        guard let signals else { return }
        var fds: [Int32] = [signals.readFD, adminFD]
        if listenerFD >= 0 { fds.append(listenerFD) }
        let channelBySocket = Dictionary(uniqueKeysWithValues: channels.map { ($0.value.fd, $0.key) })
        fds += channelBySocket.keys
        var timeout: Int32 = 1000
        if let deadline = pool.nextDeadline(now: now()) {
            timeout = Int32(max(0, min(1000, (deadline * 1000).rounded(.up))))
        }
        let ready = try Poller().wait(on: fds, timeoutMilliseconds: timeout)
        for event in ready {
            if event.fd == signals.readFD {
                handleSignals(signals.drain())
            } else if event.fd == listenerFD && listenerFD >= 0 {
                acceptConnections()
            } else if event.fd == adminFD {
                serveAdminConnection()
            } else if let slot = channelBySocket[event.fd] {
                readChannel(slot: slot)
            }
            if exitCode != nil { return }
        }
        perform(pool.tick(now: now()))
    }

    private func handleSignals(_ received: [Int32]) {
        for signal in Set(received) {
            switch signal {
            case SIGCHLD:
                reapChildren()
            case SIGTERM, SIGINT:
                logger.notice("shutdown requested, draining", metadata: ["signal": "\(signal)", "busy": "\(pool.busyCount)"])
                perform(pool.shutdownRequested(now: now()))
            case SIGHUP:
                logger.notice("SIGHUP received; configuration reload is not available in this version, ignoring")
            default:
                break
            }
        }
    }

    private func reapChildren() {
        while let (pid, status) = ChildReaper.reapOne() {
            let slot = pool.slots.first(where: { $0.value.pid == pid })?.key
            var crashed = true
            if case .exited(let code) = status, code == WorkerExit.finished.rawValue { crashed = false }
            if let slot {
                if let group = turnGroups.removeValue(forKey: slot) {
                    // The worker died with a claude turn running: stop the whole group.
                    _ = kill(-group, SIGKILL)
                }
                channels.removeValue(forKey: slot)?.close()
            }
            let (lost, actions) = pool.workerExited(pid: pid, crashed: crashed, now: now())
            var metadata: Logger.Metadata = ["pid": "\(pid)", "status": "\(status)"]
            if let slot { metadata["slot"] = "\(slot)" }
            if let lost { metadata["connection"] = "\(lost)" }
            if slot == nil {
                logger.debug("untracked child exited", metadata: metadata)
            } else if crashed {
                logger.error(lost == nil ? "worker crashed" : "worker crashed while serving a connection", metadata: metadata)
            } else {
                logger.debug("worker exited", metadata: metadata)
            }
            perform(actions)
        }
    }

    private func acceptConnections() {
        for _ in 0..<64 {
            let fd: Int32?
            do {
                fd = try TCPListener.accept(listenerFD)
            } catch {
                logger.error("accept failed, retrying", metadata: ["error": "\(error)"])
                return
            }
            guard let fd else { return }
            let id = nextConnectionID
            nextConnectionID += 1
            pending[id] = fd
            perform(pool.connectionAccepted(id, now: now()))
        }
    }

    // MARK: - Actions

    func perform(_ actions: [WorkerPoolStateMachine.Action]) {
        for action in actions {
            switch action {
            case .spawn(let slot):
                spawn(slot: slot)
            case .handOff(let id, let slot):
                guard let fd = pending.removeValue(forKey: id) else { continue }
                send(.handoff(connectionID: id), to: slot, attaching: fd)
                closeDescriptor(fd)  // the worker holds the connection now
            case .refuse(let id):
                guard let fd = pending.removeValue(forKey: id) else { continue }
                ServiceUnavailable.answer(fd)
                closeDescriptor(fd)
                logger.warning("no worker available, answered 503", metadata: ["connection": "\(id)"])
            case .retire(let slot):
                send(.shutdown, to: slot)
            case .signal(let pid, let signal):
                _ = kill(pid, signal)
            case .closeListener:
                closeDescriptor(listenerFD)
                listenerFD = -1
            case .notifyReady:
                notifier.ready(status: "serving on \(listenDescription) with \(pool.idleCount) idle workers")
                logger.info("ready", metadata: ["idle_workers": "\(pool.idleCount)"])
            case .notifyStopping:
                notifier.stopping(status: "draining \(pool.busyCount) busy workers")
            case .exit(let code):
                logger.info("all workers exited, stopping")
                exitCode = code
            }
        }
    }

    private func spawn(slot: UInt32) {
        guard let launcher else { return }
        do {
            let (pid, channel) = try launcher.launch(slot: slot)
            try setNonBlocking(channel.fd, true)
            channels[slot] = channel
            pool.workerSpawned(slot: slot, pid: pid)
        } catch {
            logger.error("could not start a worker, will retry", metadata: ["slot": "\(slot)", "error": "\(error)"])
            perform(pool.spawnFailed(slot: slot, now: now()))
        }
    }
}
