// Runs in: a worker (`ccproxy-worker`), between a `GET /bridge` and its websocket.

public import CCProxyWire

/// A `GET /bridge` the router accepted: authorized for `bridge:connect`, a principal on the
/// token, a valid websocket handshake. The connection leaves the HTTP pipeline with it; the
/// 101 response is written by the bridge session on the adopted socket, not by the HTTP
/// encoder (so that no byte of the websocket ever meets the HTTP decoder).
public struct BridgeAdmission: Sendable {
    /// The grant of the request (its principal owns the bridge).
    public var grant: TokenGrant
    public var requestID: String
    /// The whole `101 Switching Protocols` response head, ready to write.
    public var switchingProtocols: [UInt8]

    public init(grant: TokenGrant, requestID: String, switchingProtocols: [UInt8]) {
        self.grant = grant
        self.requestID = requestID
        self.switchingProtocols = switchingProtocols
    }
}
