// Runs in: the supervisor (`ccproxy serve`).
// One worker process as the pool state machine sees it.

/// A worker process in the pool. Slots are numbered for logs and `ccproxyctl status`;
/// a slot number is never reused within one supervisor's lifetime.
public struct WorkerSlot: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Spawned; waiting for its `hello`.
        case starting
        /// Ready for a connection.
        case idle
        /// Serving this connection.
        case busy(connectionID: UInt64)
        /// Holding a turn whose claude waits for the client's results of its calls, until
        /// `until` (then it is told to end it). Not idle: the pool refills around it.
        case waiting(WaitingTurn, until: Double)
        /// Its waiting turn is reserved for the follow-up on `connectionID`, which another
        /// worker read and is passing over, until `until`.
        case reserved(WaitingTurn, connectionID: UInt64, until: Double)
        /// Told to end its waiting turn; waiting for `waitingTurnEnded`.
        case endingWait
        /// Told to stop (or signalled); waiting for it to exit.
        case exiting
    }

    public var id: UInt32
    public var pid: Int32
    public var state: State
    /// Connections served so far.
    public var served: Int
    /// The configuration generation it was started with; older than the pool's after a
    /// reload, and then retired as soon as it is not busy.
    public var generation: UInt32 = 1
    /// The waiting turn its current connection's turn declared (`turnWaits`): once the
    /// connection is done or handed back, the slot holds it instead of going idle.
    public var declaredWait: WaitingTurn?
    /// A follow-up found that declared wait while the worker still served the connection
    /// that got the calls (the client was quicker than the hand-back): reserved for that
    /// follow-up's connection until `until`.
    public var earlyReservation: EarlyReservation?
    /// The follow-up's connection was passed already: it goes to this worker as soon as its
    /// first connection is done or handed back.
    public var passedConnection: UInt64?

    /// See `earlyReservation`.
    public struct EarlyReservation: Sendable, Equatable {
        public var connectionID: UInt64
        public var until: Double
    }

    public var stateName: String {
        switch state {
        case .starting: return "starting"
        case .idle: return "idle"
        case .busy: return "busy"
        case .waiting, .reserved: return "waiting"
        case .endingWait: return "ending"
        case .exiting: return "exiting"
        }
    }
}

/// A client connection the pool knows about, from accept until it is closed or lost.
public struct PoolConnection: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// Waiting in the queue for a worker since `since`.
        case queued(since: Double)
        /// With the worker in this slot.
        case withWorker(slot: UInt32)
        /// Held by the supervisor until readable, up to `deadline`.
        case parked(reason: ParkReason, deadline: Double)
    }

    /// Why a connection is parked in the supervisor.
    public enum ParkReason: Sendable, Equatable {
        /// Idle keep-alive, waiting for the next request.
        case keepAlive
        /// The head is arriving; wait until more than `pendingBytes` are queued.
        case incompleteHead(pendingBytes: UInt32)
    }

    public var id: UInt64
    /// The client's address (no port): the key of the per-source limit.
    public var source: String
    public var phase: Phase
    /// When the current request's first byte was seen (accept, or readable after keep-alive):
    /// the start of the head deadline.
    public var requestStarted: Double

    /// Whether it counts as waiting in the supervisor (queued or parked).
    var isWaiting: Bool {
        if case .withWorker = phase { return false }
        return true
    }
}
