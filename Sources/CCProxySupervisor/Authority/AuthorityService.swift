// Runs in: the supervisor (`ccproxy serve`): the loop submits and collects; one dedicated
// thread (the authority thread) does the slow work.
// argon2 and SQLite never run on the poll loop (invariant 9): worker authorizations and
// usage writes are queued here, run on the authority thread, and their answers come back to
// the loop as an event (a byte on a wake-up pipe the loop polls). The loop therefore keeps
// accepting, handing off, reaping and serving the admin socket while argon2 hashes or SQLite
// waits for a lock. The session registry's work (`SessionJob`) runs here too, for the same
// reason.

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Foundation
import Logging

/// The supervisor's authority thread and its bounded queues.
///
/// Contracts:
/// - ``submit(_:)`` never blocks; it refuses when `Limits.authorityQueueCapacity`
///   authorizations already wait (the loop answers 503 retryable);
/// - answers are collected with ``takeAnswers()`` after the loop saw ``wakeFD`` readable;
/// - usage records are never refused: a write that fails (busy or locked database) is kept
///   and retried every `Limits.usageRetryIntervalSeconds`, in order, from a queue of at most
///   `Limits.usageRetryQueueCapacity` records (past it the oldest is dropped and logged), so
///   usage is not lost when the database is briefly locked;
/// - session jobs run in submission order; one that someone waits for is refused when
///   `Limits.authorityQueueCapacity` already wait, a turn record never is; a turn record
///   that fails is retried with the usage writes (see `SessionRegistry`).
final class AuthorityService: Sendable {
    /// An authorization the loop asked for, with what it needs to route the answer.
    struct Request: Sendable {
        var slot: UInt32
        var pid: Int32
        var connectionID: UInt64
        var correlation: UInt32
        var bearer: String
        var scope: String
        var source: String
        /// The worker's id for the request (status only).
        var requestID: String = ""
    }

    /// The answer to a ``Request``.
    struct Answer: Sendable {
        var request: Request
        var result: Result<AuthorityGrant, AuthorityRefusal>
    }

    /// A token operation from the admin socket; `client` names the connection to answer.
    struct AdminJob: Sendable {
        var client: UInt64
        var request: AdminRequest
    }

    /// The reply to an ``AdminJob``.
    struct AdminAnswer: Sendable {
        var client: UInt64
        var reply: AdminReply
    }

    private struct Queues {
        var requests: [Request] = []
        var adminJobs: [AdminJob] = []
        var adminAnswers: [AdminAnswer] = []
        var usage: [UsageRecord] = []
        var answers: [Answer] = []
        var sessionJobs: [SessionJob] = []
        var sessionAnswers: [SessionAnswer] = []
        var stopping = false
        var droppedUsage = 0
    }

    private let authority: any WorkerRequestAuthority
    /// The session registry, confined to the authority thread; nil when it could not be opened.
    private let sessions: SessionRegistry?
    private let logger: Logger
    private let wakeup: WakeupPipe
    private let queues = Locked(Queues())
    /// Signalled when work arrives (the thread sleeps on it, with a timeout while writes wait).
    private let work = NSCondition()
    /// Signalled when the thread has ended.
    private let finished = DispatchSemaphore(value: 0)

    /// The descriptor the loop polls: readable when answers wait.
    var wakeFD: Int32 { wakeup.readFD }

    init(authority: any WorkerRequestAuthority, sessions: SessionRegistry? = nil, logger: Logger) throws(PosixError) {
        self.authority = authority
        self.sessions = sessions
        self.logger = logger
        self.wakeup = try WakeupPipe()
    }

    /// Starts the authority thread.
    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "ccproxy-authority"
        thread.start()
    }

    /// Lets the thread finish the usage it holds (one more attempt), save the authority's
    /// state and end; waits for that at most `Limits.authorityStopSeconds`.
    func stop() {
        queues.withLock { $0.stopping = true }
        signal()
        _ = finished.wait(timeout: .now() + Limits.authorityStopSeconds)
    }

    /// Queues an authorization. Returns false when the queue is full.
    func submit(_ request: Request) -> Bool {
        let accepted = queues.withLock { queues -> Bool in
            guard queues.requests.count < Limits.authorityQueueCapacity else { return false }
            queues.requests.append(request)
            return true
        }
        if accepted { signal() }
        return accepted
    }

    /// Queues a token operation. Returns false when `Limits.authorityQueueCapacity` already
    /// wait (the admin client is told to try again).
    func submit(_ job: AdminJob) -> Bool {
        let accepted = queues.withLock { queues -> Bool in
            guard queues.adminJobs.count < Limits.authorityQueueCapacity else { return false }
            queues.adminJobs.append(job)
            return true
        }
        if accepted { signal() }
        return accepted
    }

    /// The token operations' replies ready for the loop (call after ``takeAnswers()``,
    /// which drains the wake-up pipe for both).
    func takeAdminAnswers() -> [AdminAnswer] {
        queues.withLock { queues in
            defer { queues.adminAnswers.removeAll() }
            return queues.adminAnswers
        }
    }

    /// Queues work on the session registry. Returns false when it cannot be queued: the
    /// registry is not open, or the queue is full (a turn record is always queued).
    func submit(_ job: SessionJob) -> Bool {
        guard sessions != nil else { return false }
        let accepted = queues.withLock { queues -> Bool in
            guard job.isBookkeeping || queues.sessionJobs.count < Limits.authorityQueueCapacity else { return false }
            queues.sessionJobs.append(job)
            return true
        }
        if accepted { signal() }
        return accepted
    }

    /// The session registry's answers ready for the loop (call after ``takeAnswers()``,
    /// which drains the wake-up pipe).
    func takeSessionAnswers() -> [SessionAnswer] {
        queues.withLock { queues in
            defer { queues.sessionAnswers.removeAll() }
            return queues.sessionAnswers
        }
    }

    /// Queues a usage record (never refused; see the type's contract).
    func record(_ usage: UsageRecord) {
        let dropped = queues.withLock { queues -> Bool in
            queues.usage.append(usage)
            guard queues.usage.count > Limits.usageRetryQueueCapacity else { return false }
            queues.usage.removeFirst()
            queues.droppedUsage += 1
            return true
        }
        if dropped { logger.error("usage retry queue full: the oldest usage record was dropped") }
        signal()
    }

    /// The answers ready for the loop (drains the wake-up pipe).
    func takeAnswers() -> [Answer] {
        wakeup.drain()
        return queues.withLock { queues in
            defer { queues.answers.removeAll() }
            return queues.answers
        }
    }

    /// Authorizations waiting for the thread (for status and tests).
    var queuedRequestCount: Int { queues.withLock { $0.requests.count } }

    /// Usage records still waiting to be written (for status and tests).
    var pendingUsageCount: Int { queues.withLock { $0.usage.count } }

    private func signal() {
        work.lock()
        work.signal()
        work.unlock()
    }

    // MARK: - The authority thread

    private func run() {
        defer {
            authority.persistState()
            finished.signal()
        }
        var lastUsageFailure: Double?
        while true {
            // Usage first: a turn's usage is queued before its answer reaches the client, so
            // the client's next request, which may already wait here, must see it (the
            // tokens-per-day check). Only a failing database (retry not due) lets
            // authorizations go ahead of it.
            if queues.withLock({ !$0.usage.isEmpty }),
                lastUsageFailure.map({ MonotonicClock.seconds() - $0 >= Limits.usageRetryIntervalSeconds }) ?? true
            {
                lastUsageFailure = writeUsageRecords(yieldingAfter: 64) ? nil : MonotonicClock.seconds()
            }
            let (request, job, sessionJob, usageWaiting, stopping) = queues.withLock { queues in
                (
                    queues.requests.isEmpty ? nil : queues.requests.removeFirst(),
                    queues.adminJobs.isEmpty ? nil : queues.adminJobs.removeFirst(),
                    queues.sessionJobs.isEmpty ? nil : queues.sessionJobs.removeFirst(),
                    !queues.usage.isEmpty || (sessions?.unwrittenTurnCount ?? 0) > 0, queues.stopping
                )
            }
            if let sessionJob, let sessions {
                // One of each kind per round, so that no queue starves another.
                if let answer = sessions.perform(sessionJob) {
                    queues.withLock { $0.sessionAnswers.append(answer) }
                    wakeup.wake()
                }
            }
            if let job {
                // Taken together with a request (if any), so that neither queue starves.
                let reply = authority.administer(job.request)
                queues.withLock { $0.adminAnswers.append(AdminAnswer(client: job.client, reply: reply)) }
                wakeup.wake()
            }
            if let request {
                let result = authority.authorize(bearer: request.bearer, scope: request.scope, source: request.source)
                queues.withLock { $0.answers.append(Answer(request: request, result: result)) }
                wakeup.wake()
                continue
            }
            if job != nil || sessionJob != nil { continue }
            let now = MonotonicClock.seconds()
            let retryDue = lastUsageFailure.map { now - $0 >= Limits.usageRetryIntervalSeconds } ?? true
            if usageWaiting && (retryDue || stopping) {
                lastUsageFailure = writeUsage() ? nil : now
                if stopping { return }
                continue
            }
            if stopping { return }
            work.lock()
            let unwrittenTurns = (sessions?.unwrittenTurnCount ?? 0) > 0
            let idle = queues.withLock {
                $0.requests.isEmpty && $0.adminJobs.isEmpty && $0.sessionJobs.isEmpty
                    && (($0.usage.isEmpty && !unwrittenTurns) || !retryDue) && !$0.stopping
            }
            if idle {
                if usageWaiting {
                    _ = work.wait(until: Date(timeIntervalSinceNow: Limits.usageRetryIntervalSeconds))
                } else {
                    work.wait()
                }
            }
            work.unlock()
        }
    }

    /// Writes queued usage, then kept session turn records, in order until one write fails.
    /// Returns whether both emptied.
    private func writeUsage() -> Bool {
        guard writeUsageRecords() else { return false }
        guard let sessions, !sessions.retryUnwrittenTurns() else { return true }
        logger.warning("could not record a session's turn, will retry", metadata: ["pending": "\(sessions.unwrittenTurnCount)"])
        return false
    }

    /// - Parameter yieldingAfter: once this many are written, stop whenever an authorization
    ///   waits (a long backlog of retried writes must not hold requests up).
    private func writeUsageRecords(yieldingAfter: Int = 1) -> Bool {
        var written = 0
        while let next = queues.withLock({ $0.usage.first }) {
            switch authority.recordUsage(next) {
            case .written:
                written += 1
                queues.withLock { queues in
                    if queues.usage.first == next { queues.usage.removeFirst() }
                }
            case .retry(let reason):
                logger.warning(
                    "could not record usage, will retry",
                    metadata: ["token": "\(next.tokenID)", "pending": "\(pendingUsageCount)", "error": "\(reason)"])
                return false
            }
            // An authorization waiting behind a long backlog of writes goes first.
            if written >= yieldingAfter, queues.withLock({ !$0.requests.isEmpty }) { return true }
        }
        return true
    }
}
