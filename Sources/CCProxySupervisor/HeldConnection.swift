// Runs in: the supervisor (`ccproxy serve`).
// A client connection while the supervisor holds it (accepted and not yet handed off,
// queued, or parked for keep-alive). The supervisor never reads from it (invariant 2).

import CCProxyPosix

/// A client socket the supervisor holds. The descriptor is owned: handing the connection to
/// a worker consumes it, and dropping the record closes it.
final class HeldConnection {
    let id: UInt64
    /// The client's address without the port (the per-source limit's key).
    let source: String
    var descriptor: OwnedDescriptor?
    /// SO_RCVLOWAT was raised (incomplete head): restored to 1 before a hand-off.
    var lowWaterRaised = false

    init(id: UInt64, source: String, descriptor: consuming OwnedDescriptor) {
        self.id = id
        self.source = source
        self.descriptor = .some(descriptor)
    }

    /// The descriptor number for poll(2), or -1.
    var fd: Int32 { descriptor?.rawValue ?? -1 }

    /// Takes the descriptor out (to hand it to a worker or answer and close it).
    func take() -> OwnedDescriptor? {
        descriptor.take()
    }
}
