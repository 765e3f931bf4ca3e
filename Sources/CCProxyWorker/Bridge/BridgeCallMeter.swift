// Runs in: a bridge worker (`ccproxy-worker` holding a `/bridge` websocket).

import CCProxyCore
import CCProxyWire

/// Times the bridge requests the worker relays, from the FUSE helper's request leaving for
/// the daemon to the daemon's answer (pure: the caller passes the time). At most `capacity`
/// requests are remembered; past that the oldest is forgotten (the helper has given up on
/// it by then: its operation timeout is far shorter than so many calls).
struct BridgeCallMeter: Sendable {
    private var pending: [UInt64: (method: String, startedMicros: UInt64)] = [:]
    private var order: [UInt64] = []
    let capacity: Int

    init(capacity: Int = Limits.maxBridgePendingCalls) {
        self.capacity = capacity
    }

    var pendingCount: Int { pending.count }

    mutating func requested(id: UInt64, method: String, atMicros now: UInt64) {
        if pending[id] == nil {
            if pending.count >= capacity, let oldest = order.first {
                order.removeFirst()
                pending[oldest] = nil
            }
            order.append(id)
        }
        pending[id] = (String(method.utf8Prefix(maxBytes: BridgeCallObservation.maxNameBytes)), now)
    }

    /// The observation for the answer to `id` (nil for an answer to nothing pending).
    mutating func answered(id: UInt64, errorCode: String?, atMicros now: UInt64) -> BridgeCallObservation? {
        guard let call = pending.removeValue(forKey: id) else { return nil }
        order.removeAll { $0 == id }
        return BridgeCallObservation(
            method: call.method, result: (errorCode ?? "ok").utf8Prefix(maxBytes: BridgeCallObservation.maxNameBytes),
            durationMicros: now >= call.startedMicros ? now - call.startedMicros : 0)
    }
}
