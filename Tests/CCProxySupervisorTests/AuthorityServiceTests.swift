import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Foundation
import Logging
import Testing

@testable import CCProxySupervisor

/// A stand-in authority: authorizations wait until released; usage writes fail while `locked`.
private final class GatedAuthority: WorkerRequestAuthority {
    let gate = DispatchSemaphore(value: 0)
    let state = Locked(
        (authorized: [String](), written: [UInt64](), attempts: 0, locked: true, gated: true, persisted: false, events: [String]()))

    func authorize(bearer: String, scope: String, source: String?) -> Result<AuthorityGrant, AuthorityRefusal> {
        if state.withLock({ $0.gated }) { gate.wait() }
        state.withLock {
            $0.authorized.append(bearer)
            $0.events.append("authorize \(bearer)")
        }
        return .success(AuthorityGrant(grant: TokenGrant(tokenID: bearer, name: bearer, scopes: ["chat"]), maxConcurrent: 0))
    }

    func persistState() { state.withLock { $0.persisted = true } }

    func recordUsage(_ usage: UsageRecord) -> UsageWriteOutcome {
        state.withLock { state in
            state.attempts += 1
            guard !state.locked else { return .retry(reason: "database is locked") }
            state.written.append(usage.inputTokens)
            state.events.append("usage \(usage.inputTokens)")
            return .written
        }
    }
}

@Suite(.serialized) struct AuthorityServiceTests {
    static func request(_ n: Int) -> AuthorityService.Request {
        AuthorityService.Request(slot: 1, pid: 2, connectionID: 3, correlation: UInt32(n), bearer: "b\(n)", scope: "chat", source: "s")
    }

    /// Polls the service's wake-up descriptor like the loop does, collecting answers.
    static func collect(_ service: AuthorityService, count: Int) throws -> [AuthorityService.Answer] {
        var answers: [AuthorityService.Answer] = []
        let deadline = MonotonicClock.seconds() + 30
        while answers.count < count, MonotonicClock.seconds() < deadline {
            let ready = try Poller().wait(on: [Poller.Interest(fd: service.wakeFD)], timeoutMilliseconds: 1000)
            if !ready.isEmpty { answers += service.takeAnswers() }
        }
        return answers
    }

    @Test func theQueueIsBoundedAndAnswersComeBackInOrderAsPollEvents() throws {
        let authority = GatedAuthority()
        let service = try AuthorityService(authority: authority, logger: Logger(label: "test"))
        service.start()
        defer { service.stop() }
        #expect(service.submit(Self.request(0)))
        // The thread takes request 0 and blocks in it; then the queue fills up.
        let deadline = MonotonicClock.seconds() + 10
        while service.queuedRequestCount > 0, MonotonicClock.seconds() < deadline { usleep(1000) }
        for n in 1...Limits.authorityQueueCapacity {
            #expect(service.submit(Self.request(n)), "request \(n) fits")
        }
        #expect(!service.submit(Self.request(9999)), "a full queue refuses at once instead of blocking the loop")
        // Nothing answered while argon2 (here: the gate) is busy.
        #expect(service.takeAnswers().isEmpty)
        authority.state.withLock { $0.gated = false }
        authority.gate.signal()
        let answers = try Self.collect(service, count: Limits.authorityQueueCapacity + 1)
        #expect(answers.map(\.request.correlation) == (0...Limits.authorityQueueCapacity).map(UInt32.init))
        #expect(answers.allSatisfy { (try? $0.result.get().grant.tokenID) == $0.request.bearer })
    }

    @Test func aTurnsUsageIsWrittenBeforeTheNextAuthorizationEvenWhenBothWait() throws {
        let authority = GatedAuthority()
        authority.state.withLock { $0.locked = false }
        let service = try AuthorityService(authority: authority, logger: Logger(label: "test"))
        service.start()
        defer { service.stop() }
        // The thread is busy with request 0 (argon2, here the gate) while a turn's usage and
        // then the same client's next request arrive.
        #expect(service.submit(Self.request(0)))
        let deadline = MonotonicClock.seconds() + 10
        while service.queuedRequestCount > 0, MonotonicClock.seconds() < deadline { usleep(1000) }
        service.record(UsageRecord(tokenID: "t", inputTokens: 7, outputTokens: 0, finishedAt: Date()))
        #expect(service.submit(Self.request(1)))
        authority.state.withLock { $0.gated = false }
        authority.gate.signal()
        #expect(try Self.collect(service, count: 2).count == 2)
        #expect(authority.state.withLock { $0.events } == ["authorize b0", "usage 7", "authorize b1"])
    }

    @Test func usageWritesAreRetriedInOrderUntilTheDatabaseIsFree() throws {
        let authority = GatedAuthority()
        authority.state.withLock { $0.gated = false }
        let service = try AuthorityService(authority: authority, logger: Logger(label: "test"))
        service.start()
        defer { service.stop() }
        for n: UInt64 in 1...3 {
            service.record(UsageRecord(tokenID: "t", inputTokens: n, outputTokens: 0, finishedAt: Date()))
        }
        let failing = MonotonicClock.seconds() + 10
        while authority.state.withLock({ $0.attempts }) < 2, MonotonicClock.seconds() < failing { usleep(10_000) }
        #expect(authority.state.withLock { $0.attempts } >= 2, "the write was retried while locked")
        #expect(service.pendingUsageCount == 3, "nothing was lost or reordered while locked")
        // An authorization is not held up by the failing writes.
        #expect(service.submit(Self.request(1)))
        #expect(try Self.collect(service, count: 1).count == 1)
        authority.state.withLock { $0.locked = false }
        let freed = MonotonicClock.seconds() + 10
        while authority.state.withLock({ $0.written.count }) < 3, MonotonicClock.seconds() < freed { usleep(10_000) }
        #expect(authority.state.withLock { $0.written } == [1, 2, 3])
        #expect(service.pendingUsageCount == 0)
        service.stop()
        #expect(authority.state.withLock { $0.persisted }, "stop saves the authority's state before it returns")
    }
}
