// Runs in: the supervisor (`ccproxy serve`).
// An admin connection whose request has not fully arrived. The loop reads it only when poll
// says it is readable and drops it at its deadline, so a client that connects and sends
// nothing (or trickles) cannot stall the supervisor.

import CCProxyPosix
import CCProxyWire

/// One `ccproxyctl` connection waiting for its request frame.
final class PendingAdminClient {
    var descriptor: OwnedDescriptor?
    /// The monotonic time by which the whole frame must have arrived (then, while a token
    /// operation runs on the authority thread, by which its reply must have).
    var deadline: Double
    private(set) var received: [UInt8] = []

    init(descriptor: consuming OwnedDescriptor, deadline: Double) {
        self.descriptor = .some(descriptor)
        self.deadline = deadline
    }

    var fd: Int32 { descriptor?.rawValue ?? -1 }

    /// Adds bytes read from the socket. Returns the complete frame once it is there (extra
    /// bytes after it are ignored: one request per connection).
    /// - Throws: `WireError` when the announced length is over `maxBytes`.
    func append(_ bytes: [UInt8], maxBytes: Int) throws(WireError) -> [UInt8]? {
        received += bytes
        guard received.count >= 4 else { return nil }
        let total = try Frame.announcedLength(prefix: Array(received[0..<4]), maxBytes: maxBytes)
        guard received.count >= total else { return nil }
        return Array(received[0..<total])
    }
}
