// Runs in: a bridge worker (`ccproxy-worker` holding a `/bridge` websocket).

import CCProxyBridgeProtocol
import CCProxyCore
import Foundation

/// What the FUSE helper gets from the daemon, rewritten by the worker: no byte the daemon
/// sent reaches the privileged helper as it was sent (invariant 3).
///
/// Each answer is decoded here, in the unprivileged worker, as the result type of the method
/// the helper asked for (the worker reads the method from the helper's own request), and the
/// helper gets a fresh frame encoded from that typed value; a daemon answer that does not
/// decode becomes an `io` failure with the helper's id. So the helper's decoder only ever
/// sees the worker's canonical encoding of well-typed values (never the daemon's nesting,
/// number forms, duplicate keys or unknown fields), and the frame limits hold before any of
/// it is re-encoded. Pure.
enum HelperFrames {
    /// The helper's answer to its request `id` for `method` (nil when the worker never saw
    /// that request: a late answer).
    static func answer(_ frame: Data, id: UInt64, method: BridgeMethod?) -> Data {
        let head: BridgeFrameHead
        do {
            head = try BridgeCodec.head(of: frame)
        } catch {
            return malformed(id: id, error.description)
        }
        guard case .response(_, let failure) = head else { return malformed(id: id, "not an answer") }
        if let failure { return BridgeCodec.failure(id: id, failure) }
        guard let method else { return BridgeCodec.failure(id: id, BridgeError(.io, "an answer to no request of the mount")) }
        do {
            switch method {
            case .stat: return BridgeCodec.response(id: id, result: try BridgeCodec.result(StatResult.self, of: frame))
            case .readdir: return BridgeCodec.response(id: id, result: try BridgeCodec.result(ReaddirResult.self, of: frame))
            case .read: return BridgeCodec.response(id: id, result: try BridgeCodec.result(ReadResult.self, of: frame))
            case .write: return BridgeCodec.response(id: id, result: try BridgeCodec.result(WriteResult.self, of: frame))
            case .readlink: return BridgeCodec.response(id: id, result: try BridgeCodec.result(ReadlinkResult.self, of: frame))
            case .create, .mkdir, .remove, .rename, .chmod, .truncate, .symlink, .utimens, .fsync:
                return BridgeCodec.response(id: id, result: try BridgeCodec.result(EmptyResult.self, of: frame))
            case .hello, .exec:
                return BridgeCodec.failure(id: id, BridgeError(.unsupported, "\(method.rawValue) is not a request of the mount"))
            }
        } catch {
            return malformed(id: id, error.description)
        }
    }

    /// A watch event, re-encoded for the helper.
    static func watch(_ event: WatchEvent) -> Data {
        BridgeCodec.event(.watch(event))
    }

    private static func malformed(id: UInt64, _ reason: String) -> Data {
        BridgeCodec.failure(id: id, BridgeError(.io, "the daemon's answer is malformed: \(reason)"))
    }
}
