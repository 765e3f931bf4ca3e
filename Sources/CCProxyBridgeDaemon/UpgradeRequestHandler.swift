// Runs in: ccproxy-bridge (the laptop-side daemon), on the connection's event loop.
import Foundation
import NIOCore
import NIOHTTP1

/// Sends the websocket upgrade request (`GET <target>` with the bearer in `Authorization`;
/// the upgrader adds the websocket headers), and, when the server answers anything but
/// 101, records why (status and the start of the body, e.g. a 403's error message) and
/// closes, so that the run loop logs the refusal and retries.
final class UpgradeRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    static let name = "bridge-upgrade-request"

    private let target: String
    private let host: String
    private let token: String
    private let link: BridgeLink
    private var refusal: String?
    private var refusalBody: [UInt8] = []

    init(target: String, host: String, token: String, link: BridgeLink) {
        self.target = target
        self.host = host
        self.token = token
        self.link = link
    }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host)
        headers.add(name: "Authorization", value: "Bearer \(token)")
        headers.add(name: "User-Agent", value: BridgeDispatcher.daemonVersion)
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: target, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            refusal = "upgrade refused: \(response.status.code) \(response.status.reasonPhrase)"
        case .body(let body):
            if refusal != nil && refusalBody.count < 300 { refusalBody += body.readableBytesView.prefix(300 - refusalBody.count) }
        case .end:
            if let refusal {
                let text = String(decoding: refusalBody, as: UTF8.self)
                    .map { $0.isNewline ? " " : $0 }
                let said = String(text).trimmingCharacters(in: .whitespaces)
                link.recordClose(said.isEmpty ? refusal : "\(refusal) (\(said))")
            }
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        link.recordClose("\(error)")
        context.close(promise: nil)
    }
}
