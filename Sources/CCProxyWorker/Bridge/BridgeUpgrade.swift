// Runs in: a worker (`ccproxy-worker`), answering `GET /bridge`.

import CCProxyCore
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Checks a `GET /bridge` request's websocket handshake (RFC 6455 §4.2.1) and builds the
/// 101 answer. The accept key is NIOWebSocket's (`NIOWebSocketServerUpgrader`), so no
/// hashing is written here; the checks NIO's `HTTPServerUpgradeHandler` would make on the
/// `Upgrade` and `Connection` headers are made here, because the request arrives through
/// the worker's ordinary HTTP pipeline (authorization first, then the upgrade).
enum BridgeUpgrade {
    /// Why a handshake is refused: 426 without an upgrade at all, 400 for a broken one.
    static func problem(headers: HTTPHeaders) -> APIError? {
        let upgrade = headers[canonicalForm: "Upgrade"].map { $0.lowercased() }
        let connection = headers[canonicalForm: "Connection"].map { $0.lowercased() }
        guard upgrade.contains("websocket") else {
            return APIError(
                status: 426, type: "invalid_request_error", code: "upgrade_required",
                message: "/bridge is a websocket: send Upgrade: websocket")
        }
        guard connection.contains("upgrade") else {
            return .invalidRequest("websocket handshake: Connection must include upgrade")
        }
        guard headers.first(name: "Sec-WebSocket-Version") == "13" else {
            return .invalidRequest("websocket handshake: Sec-WebSocket-Version must be 13")
        }
        guard let key = headers.first(name: "Sec-WebSocket-Key"), Self.isValidKey(key) else {
            return .invalidRequest("websocket handshake: Sec-WebSocket-Key must be 16 bytes in base64")
        }
        return nil
    }

    /// The `101` response head for a handshake `problem(headers:)` accepted.
    static func switchingProtocols(head: HTTPRequestHead, requestID: String, on channel: any Channel) async throws -> [UInt8] {
        let upgrader = NIOWebSocketServerUpgrader(
            maxFrameSize: Limits.maxBridgeFrameBytes, automaticErrorHandling: false,
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in channel.eventLoop.makeSucceededVoidFuture() })
        var headers = try await upgrader.buildUpgradeResponse(
            channel: channel, upgradeRequest: head, initialResponseHeaders: HTTPHeaders()
        ).get()
        headers.add(name: "X-Request-Id", value: requestID)
        var text = "HTTP/1.1 101 Switching Protocols\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// A key is the base64 of 16 bytes: 24 characters ending in `==`.
    static func isValidKey(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard bytes.count == 24, bytes[22] == UInt8(ascii: "="), bytes[23] == UInt8(ascii: "=") else { return false }
        return bytes[0..<22].allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
        }
    }
}
