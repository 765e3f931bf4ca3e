import CCProxyCore
import Testing

@testable import CCProxySupervisor

/// The bridge registry, event by event: one bridge per principal, replaceable as soon as its
/// worker is gone.
@Suite struct BridgeRegistryTests {
    func register(_ registry: inout BridgeRegistry, _ principal: String, pid: Int32) -> BridgeRegistry.Registration {
        registry.register(
            principal: principal, workerPID: pid, now: 1000, daemonVersion: "ccproxy-bridge/1", root: "/home/a",
            allowWrite: true, allowExec: false)
    }

    @Test func oneBridgePerPrincipalAndASecondIsRefusedWithAReason() {
        var registry = BridgeRegistry()
        #expect(register(&registry, "alice", pid: 10) == .accepted(bridgeID: 1))
        #expect(register(&registry, "alice", pid: 11) == .refused("register: principal already has an active bridge"))
        #expect(register(&registry, "bob", pid: 12) == .accepted(bridgeID: 2))
        #expect(registry.count == 2)
        #expect(registry.bridge(principal: "alice")?.workerPID == 10)
        #expect(registry.reports.map(\.principal) == ["alice", "bob"], "oldest first")
    }

    @Test func aGoneWorkersBridgeIsReplaceableAtOnce() {
        var registry = BridgeRegistry()
        _ = register(&registry, "alice", pid: 10)
        #expect(registry.workerExited(pid: 99) == nil, "a worker that held no bridge")
        #expect(registry.workerExited(pid: 10)?.principal == "alice")
        #expect(registry.bridge(principal: "alice") == nil)
        #expect(register(&registry, "alice", pid: 11) == .accepted(bridgeID: 2), "ids are never reused")
    }

    @Test func noPrincipalNoSecondBridgePerWorkerAndACapacity() {
        var registry = BridgeRegistry(capacity: 1)
        #expect(register(&registry, "", pid: 10) == .refused("register: a bridge needs a token with a principal"))
        #expect(register(&registry, "alice", pid: 10) == .accepted(bridgeID: 1))
        #expect(register(&registry, "bob", pid: 10) == .refused("register: this worker already holds a bridge"))
        #expect(register(&registry, "bob", pid: 11) == .refused("register: too many bridges connected (1)"))
    }

    @Test func theDaemonsOwnFiguresAreCut() {
        var registry = BridgeRegistry()
        let long = String(repeating: "é", count: Limits.maxBridgeDescriptionBytes)
        _ = registry.register(
            principal: "alice", workerPID: 10, now: 0, daemonVersion: long, root: long, allowWrite: false, allowExec: true)
        let entry = registry.bridge(principal: "alice")
        #expect((entry?.daemonVersion.utf8.count ?? .max) <= Limits.maxBridgeDescriptionBytes)
        #expect((entry?.root.utf8.count ?? .max) <= Limits.maxBridgeDescriptionBytes)
        #expect(entry?.allowExec == true)
    }
}
