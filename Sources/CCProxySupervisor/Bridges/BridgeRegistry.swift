// Runs in: the supervisor (`ccproxy serve`).
// The connected bridges: at most one per principal (the reference's rule), each held by one
// bridge worker. Pure bookkeeping, no I/O, no clock: the shell passes the time in.

import CCProxyCore
import CCProxyWire

/// Who holds which principal's bridge. A second bridge for a principal is refused while the
/// first one's worker lives; once that worker has exited (the websocket ended, or it died)
/// the principal may connect again at once.
struct BridgeRegistry: Sendable {
    /// One connected bridge: what `ccproxyctl bridges` shows of it is all there is to keep.
    typealias Entry = BridgeReport

    /// What `register` decided.
    enum Registration: Sendable, Equatable {
        case accepted(bridgeID: UInt64)
        /// Refused, with the close reason the daemon is told.
        case refused(String)
    }

    private(set) var byPrincipal: [String: Entry] = [:]
    private var nextID: UInt64 = 1
    let capacity: Int

    init(capacity: Int = Limits.maxBridges) {
        self.capacity = capacity
    }

    var count: Int { byPrincipal.count }

    /// Registers the bridge a worker holds for `principal`. The daemon's own figures are cut
    /// to `Limits.maxBridgeDescriptionBytes`: they are shown, never used.
    mutating func register(
        principal: String, workerPID: Int32, now: Int64, daemonVersion: String, root: String, allowWrite: Bool,
        allowExec: Bool
    ) -> Registration {
        guard !principal.isEmpty else { return .refused("register: a bridge needs a token with a principal") }
        if byPrincipal[principal] != nil { return .refused("register: principal already has an active bridge") }
        if byPrincipal.values.contains(where: { $0.workerPID == workerPID }) {
            return .refused("register: this worker already holds a bridge")
        }
        guard byPrincipal.count < capacity else { return .refused("register: too many bridges connected (\(capacity))") }
        let id = nextID
        nextID += 1
        byPrincipal[principal] = Entry(
            bridgeID: id, principal: principal, workerPID: workerPID, connectedAt: now,
            daemonVersion: Self.cut(daemonVersion), root: Self.cut(root), allowWrite: allowWrite, allowExec: allowExec,
            mountPoint: nil, rpcCount: 0)
        return .accepted(bridgeID: id)
    }

    /// The bridge worker `pid` is gone: its bridge is forgotten and returned (nil if it held none).
    mutating func workerExited(pid: Int32) -> Entry? {
        guard let principal = byPrincipal.first(where: { $0.value.workerPID == pid })?.key else { return nil }
        return byPrincipal.removeValue(forKey: principal)
    }

    /// The bridge's filesystem is (being) mounted at `mountPoint`.
    mutating func mounted(principal: String, mountPoint: String) {
        byPrincipal[principal]?.mountPoint = mountPoint
    }

    /// The bridge of worker `pid` answered one more call.
    mutating func callAnswered(workerPID pid: Int32) {
        guard let principal = byPrincipal.first(where: { $0.value.workerPID == pid })?.key else { return }
        byPrincipal[principal]?.rpcCount += 1
    }

    /// The bridge of `principal`, if one is connected.
    func bridge(principal: String) -> Entry? { byPrincipal[principal] }

    /// Every bridge, oldest first, as `ccproxyctl bridges` shows them.
    var reports: [BridgeReport] {
        byPrincipal.values.sorted { $0.bridgeID < $1.bridgeID }
    }

    private static func cut(_ text: String) -> String {
        text.utf8Prefix(maxBytes: Limits.maxBridgeDescriptionBytes)
    }
}
