// Runs in: the supervisor (`ccproxy serve`).
// Starts `ccproxy-worker` processes with their fixed descriptor layout.

import CCProxyPosix
import CCProxyWire
import Glibc

/// Spawns workers: fd 0 = /dev/null, 1 and 2 = the supervisor's, 3 = the worker's end of a
/// fresh SOCK_SEQPACKET channel, 4 = the sealed settings snapshot. Nothing else is inherited.
struct WorkerLauncher {
    let executable: String
    let settingsFD: Int32
    let environment: [String]

    /// Environment variables a worker must not inherit: socket activation and notify state
    /// belong to the supervisor, and the seed token is a secret.
    static let withheldEnvironment: Set<String> = [
        "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "LISTEN_PIDFDID", "NOTIFY_SOCKET", "WATCHDOG_PID",
        "WATCHDOG_USEC", "CCPROXY_TOKEN",
    ]

    init(executable: String, settingsFD: Int32) {
        self.executable = executable
        self.settingsFD = settingsFD
        self.environment = ProcessSpawner.currentEnvironment(removing: Self.withheldEnvironment)
    }

    /// Starts one worker for `slot`. Returns its pid and the supervisor's end of its channel.
    func launch(slot: UInt32) throws(PosixError) -> (pid: Int32, channel: SeqPacketChannel) {
        let (mine, theirs) = try SeqPacketChannel.makePair()
        defer { theirs.close() }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { closeDescriptor(devNull) }
        let request = ProcessSpawner.Request(
            executable: executable,
            arguments: [executable, "--slot", String(slot)],
            environment: environment,
            descriptors: [
                (devNull, 0), (STDOUT_FILENO, 1), (STDERR_FILENO, 2),
                (theirs.fd, WorkerDescriptors.channel), (settingsFD, WorkerDescriptors.settings),
            ],
            // Own process group: a terminal's Ctrl-C reaches only the supervisor, which then
            // drains the pool in order.
            newProcessGroup: true,
            // If the supervisor dies, the worker is told to stop (it then stops its claude).
            parentDeathSignal: SIGTERM)
        do {
            let pid = try ProcessSpawner.spawn(request)
            return (pid, mine)
        } catch {
            mine.close()
            throw error
        }
    }
}
