// Runs in: a worker (`ccproxy-worker`).
// A turn whose claude calls the client's functions does not end at the calls: the answer with
// `tool_calls` goes to the client, the connection goes back (or closes), and claude stays
// blocked on its tool, in this worker, until the follow-up brings the results (on any
// connection: the supervisor passes it here) or the supervisor says the wait is over. The
// turn runs in a task of its own for this, so that its first request's handler can return.

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import NIOCore

/// The one place a waiting-capable turn and the worker's serving loop meet.
///
/// Segments: the turn's output goes to one connection at a time (`SegmentSinkBox`). The first
/// segment is the request that started it; each follow-up starts the next. A segment ends
/// when the driver waits again (`wait`) or the turn finishes (`turnFinished`); whoever serves
/// the segment's connection awaits that (`segmentFinished`). Watchers of a segment's
/// connection (disconnect, timeout) act only while their segment is the current one
/// (`isCurrent`), which it stops being just before its `tool_calls` answer is written
/// (`answering`): a client that closes the connection once it has the calls stops nothing.
final class WaitingTurnLink: Sendable {
    let desk: FunctionCallDesk
    let box: SegmentSinkBox
    private let supervisor: SupervisorClient
    private let state = Locked(State())
    private let turn = Locked<Turn?>(nil)

    /// The running turn, for the watchers of each follow-up's connection.
    struct Turn: Sendable {
        let process: ClaudeProcess
        let stop: TurnStop
        /// Watches a segment's connection and deadline (disconnect and timeout stop claude).
        let watch: @Sendable (any Channel, NIODeadline, Int) -> Scheduled<Void>
    }

    /// The turn's claude has started.
    func attach(_ running: Turn) {
        turn.withLock { $0 = running }
    }

    private enum Phase {
        case running
        case waiting
        case ended
    }

    private struct State {
        var phase = Phase.running
        /// Counts segments: 0 for the first request, +1 for each wait.
        var segment = 0
        var segmentOver = false
        var segmentWaiters: [CheckedContinuation<Void, Never>] = []
        var driver: CheckedContinuation<Bool, Never>?
        var endRequested = false
        /// The ids of the calls the turn waits (or last waited) for.
        var callIDs: Set<String> = []
        /// The wait ended because claude exited, not because the loop asked.
        var endedUnasked = false
        var finished = false
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// The sink of a follow-up's response, on its connection's writer.
    let makeSink: @Sendable (ResponseWriter, CompletionIdentity, FollowUp) -> any TurnSink

    init(
        desk: FunctionCallDesk, box: SegmentSinkBox, supervisor: SupervisorClient, tokenID: String,
        makeSink: @escaping @Sendable (ResponseWriter, CompletionIdentity, FollowUp) -> any TurnSink
    ) {
        self.tokenID = tokenID
        self.desk = desk
        self.box = box
        self.supervisor = supervisor
        self.makeSink = makeSink
    }

    /// Whether the turn's task is over.
    var isFinished: Bool { state.withLock { $0.finished } }

    /// Whether `segment` is the segment being served (its watchers may stop the turn).
    func isCurrent(_ segment: Int) -> Bool {
        state.withLock { $0.phase == .running && $0.segment == segment }
    }

    /// The segment being served now.
    var currentSegment: Int { state.withLock { $0.segment } }

    /// Whether the turn waits for a follow-up now.
    var isWaiting: Bool { state.withLock { $0.phase == .waiting } }

    /// The token whose request started the turn.
    let tokenID: String

    /// Whether the turn waits for exactly these calls' results.
    func waits(for callIDs: Set<String>) -> Bool {
        state.withLock { $0.phase == .waiting && $0.callIDs == callIDs }
    }

    // MARK: - The driver's side

    /// claude called `calls` (the client gets them next): the supervisor learns that the turn
    /// will wait for their results. Before the usage is billed, so that the token's turn
    /// stays counted.
    func declare(_ calls: [ToolCall]) {
        state.withLock { $0.callIDs = Set(calls.map(\.id)) }
        desk.offered(calls)
        try? supervisor.send(.turnWaits(callIDs: calls.map(\.id)))
    }

    /// The calls are about to be written as this segment's answer: from now on the segment's
    /// watchers stop nothing (its client may close the connection as soon as it has them).
    func answering() {
        state.withLock { $0.segment += 1 }
    }

    /// The client has the calls: the segment is over; waits for the follow-up.
    /// - Returns: true when a follow-up came (its sink is attached), false when the wait
    ///   ended without one (the turn ends).
    func wait() async -> Bool {
        await withCheckedContinuation { continuation in
            let (waiters, resumeAtOnce) = state.withLock { state -> ([CheckedContinuation<Void, Never>], Bool) in
                box.current = nil
                state.segmentOver = true
                defer { state.segmentWaiters = [] }
                if state.endRequested {
                    state.phase = .ended
                    return (state.segmentWaiters, true)
                }
                state.phase = .waiting
                state.driver = continuation
                return (state.segmentWaiters, false)
            }
            for waiter in waiters { waiter.resume() }
            if resumeAtOnce { continuation.resume(returning: false) }
        }
    }

    /// The driver has returned: the turn is over (called once, at the very end of its task).
    func turnFinished() {
        desk.close()
        let (segmentWaiters, finishWaiters, post) = state.withLock { state in
            let post = state.endedUnasked
            state.phase = .ended
            state.segmentOver = true
            state.finished = true
            defer {
                state.segmentWaiters = []
                state.finishWaiters = []
            }
            return (state.segmentWaiters, state.finishWaiters, post)
        }
        WaitingTurns.clear(self)
        for waiter in segmentWaiters { waiter.resume() }
        for waiter in finishWaiters { waiter.resume() }
        // A turn that ended while it waited, unasked (its claude exited): tell the loop.
        if post { supervisor.post(.waitingTurnOver) }
    }

    // MARK: - The serving loop's side

    /// Waits until the current segment is over (the turn waits again, or it finished).
    func segmentFinished() async {
        await withCheckedContinuation { continuation in
            let over = state.withLock { state -> Bool in
                if state.segmentOver { return true }
                state.segmentWaiters.append(continuation)
                return false
            }
            if over { continuation.resume() }
        }
    }

    /// The follow-up came: its results go to the function server, its sink gets the output.
    /// - Returns: the new segment's number, or nil when the turn no longer waits.
    func resume(results: [FollowUp.Result], sink: any TurnSink, connection: any Channel, deadline: NIODeadline) -> Int? {
        let (driver, segment) = state.withLock { state -> (CheckedContinuation<Bool, Never>?, Int) in
            guard state.phase == .waiting, let driver = state.driver else { return (nil, state.segment) }
            state.driver = nil
            state.phase = .running
            state.segmentOver = false
            box.current = sink
            return (driver, state.segment)
        }
        guard let driver else { return nil }
        if let running = turn.withLock({ $0 }) { _ = running.watch(connection, deadline, segment) }
        desk.answered(results)
        driver.resume(returning: true)
        return segment
    }

    /// The wait is over without a follow-up (timeout, drain): the turn ends. While a segment
    /// runs, the turn ends at its next wait instead.
    func end() {
        let driver = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.endRequested = true
            guard state.phase == .waiting else { return nil }
            state.phase = .ended
            defer { state.driver = nil }
            return state.driver
        }
        driver?.resume(returning: false)
    }

    /// claude exited: a turn that waits ends now, and the serving loop is told
    /// (`waitingTurnOver`) once it is over.
    func claudeExited() {
        let driver = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            guard state.phase == .waiting else { return nil }
            state.phase = .ended
            state.endedUnasked = true
            defer { state.driver = nil }
            return state.driver
        }
        driver?.resume(returning: false)
    }

    /// Waits until the turn's task is over.
    func finished() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.finished { return true }
                state.finishWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }
}

/// The waiting-capable turn this worker runs or holds, if any (a worker runs one turn at a
/// time, so there is at most one).
enum WaitingTurns {
    private static let slot = Locked<WaitingTurnLink?>(nil)

    static var current: WaitingTurnLink? { slot.withLock { $0 } }

    static func set(_ link: WaitingTurnLink?) {
        slot.withLock { $0 = link }
    }

    /// Forgets `link` if it is the current one.
    static func clear(_ link: WaitingTurnLink) {
        slot.withLock { if $0 === link { $0 = nil } }
    }
}
