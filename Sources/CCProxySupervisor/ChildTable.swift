// Runs in: the supervisor (`ccproxy serve`).
// The supervisor's children by pid, each with its role (PostgreSQL's pmchild.c): who is who,
// which channel is whose.

import CCProxyPosix
import CCProxyWire

/// What the supervisor spawned a child as, with the role's own bookkeeping.
enum ChildAssignment: Sendable, Equatable {
    /// A pool worker in `slot`, started with the settings of `generation`.
    case poolWorker(slot: UInt32, generation: UInt32)
    /// A former pool worker holding one bridge websocket, out of the pool until it exits.
    case bridgeWorker
    /// The FUSE manager (`ccproxy-fuse manager`), which mounts the bridges.
    case fuseHelper

    /// The role the child must name in its `hello`.
    var role: ChildRole {
        switch self {
        case .poolWorker: return .poolWorker
        case .bridgeWorker: return .bridgeWorker
        case .fuseHelper: return .fuseHelper
        }
    }
}

/// One live child process.
struct Child: Sendable {
    let pid: Int32
    /// Changes once at most: a pool worker that takes a bridge becomes a bridge worker.
    var assignment: ChildAssignment
    /// The supervisor's end of its channel; nil once the child closed it.
    var channel: SeqPacketChannel?
    /// Whether it said a valid `hello`. (A pool worker's grants and claude process group are
    /// in the supervisor's `SlotLedger`.)
    var greeted = false
}

/// The children by pid. A value type owned by the supervisor's loop; it never touches a
/// process, the shell does.
struct ChildTable: Sendable {
    private(set) var byPID: [Int32: Child] = [:]

    var all: Dictionary<Int32, Child>.Values { byPID.values }

    mutating func add(_ child: Child) { byPID[child.pid] = child }

    /// Forgets the child and returns its record (nil for an untracked pid).
    mutating func remove(pid: Int32) -> Child? { byPID.removeValue(forKey: pid) }

    subscript(pid: Int32) -> Child? {
        get { byPID[pid] }
        set { byPID[pid] = newValue }
    }

    /// The pid of the pool worker in `slot`.
    func pid(poolSlot slot: UInt32) -> Int32? {
        byPID.values.first { if case .poolWorker(slot, _) = $0.assignment { return true } else { return false } }?.pid
    }

    /// The child whose channel is `fd`.
    func pid(channelFD fd: Int32) -> Int32? {
        byPID.values.first { $0.channel?.fd == fd }?.pid
    }
}
