// Runs in: a worker (`ccproxy-worker`).

import CCProxyCore
import Foundation
import NIOCore
import NIOHTTP1

/// One complete HTTP request as the worker read it (head and the whole body).
struct HTTPRequest: Sendable {
    var method: HTTPMethod
    /// The path without the query string.
    var path: String
    var headers: HTTPHeaders
    var body: [UInt8]
    /// `X-Request-Id` from the client when usable, else a fresh one; echoed on the response.
    var requestID: String
    /// When the request's time is up (`request_timeout` after its head and body were read):
    /// the turn is stopped then, and the connection closed `Limits.responseGraceSeconds`
    /// later if the response is still not finished. One clock for both, so the grace is
    /// always after the turn's timeout, however long spawning or a session lease took.
    var deadline: NIODeadline = .distantFuture

    init(head: HTTPRequestHead, body: [UInt8]) {
        method = head.method
        path = String(head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        headers = head.headers
        self.body = body
        requestID = Self.requestID(from: head.headers)
    }

    /// The `model` a JSON body names (for the completion log line), or nil.
    var declaredModel: String? {
        guard method == .POST, !body.isEmpty,
            let declared = try? JSONDecoder().decode(DeclaredModel.self, from: Data(body))
        else { return nil }
        return declared.model
    }

    private struct DeclaredModel: Decodable {
        var model: String?
    }

    /// The trimmed value of a header, nil when absent or empty.
    func header(_ name: String) -> String? {
        guard let value = headers.first(name: name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// A client-supplied request id is echoed only if it is short and printable ASCII, so it
    /// can go into logs and headers as is.
    private static func requestID(from headers: HTTPHeaders) -> String {
        if let given = headers.first(name: "X-Request-Id"), !given.isEmpty,
            given.utf8.count <= Limits.maxRequestIDBytes,
            given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f })
        {
            return given
        }
        return RandomID.uuid()
    }
}

/// Random identifiers.
enum RandomID {
    /// A random UUID v4 string (lowercase).
    static func uuid() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }
}
