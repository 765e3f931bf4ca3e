// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore
import CCProxyWire
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Maps method and path to a handler; unknown paths are 404, known paths with another
/// method are 405 with `Allow`, both in the OpenAI error shape.
struct Router {
    let context: WorkerContext
    let logger: Logger
    /// Completes when the client connection closes (disconnect detection).
    let closeFuture: EventLoopFuture<Void>

    private static let routes: [String: HTTPMethod] = [
        "/healthz": .GET, "/readyz": .GET, "/v1/models": .GET, "/v1/chat/completions": .POST,
    ]

    func handle(_ request: HTTPRequest, writer: inout ResponseWriter) async throws {
        guard let method = Self.routes[request.path] else {
            try await writer.send(error: .notFound("no route for \(request.method.rawValue) \(request.path)"))
            return
        }
        guard request.method == method else {
            try await writer.send(
                error: .methodNotAllowed("\(request.path) accepts \(method.rawValue) only"),
                headers: [("Allow", method.rawValue)])
            return
        }
        switch request.path {
        case "/healthz":
            try await HealthHandler(settings: context.settings).health(writer: &writer)
        case "/readyz":
            try await HealthHandler(settings: context.settings).ready(writer: &writer)
        case "/v1/models":
            guard try await authorize(request, scope: "chat", writer: &writer) != nil else { return }
            let body = ModelList.jsonBody(
                ids: TurnPlanner.modelCatalogue(settings: context.settings), created: Int(Date().timeIntervalSince1970))
            try await writer.send(status: .ok, body: body)
        default:
            guard let grant = try await authorize(request, scope: "chat", writer: &writer) else { return }
            let handler = ChatCompletionsHandler(context: context, logger: logger, closeFuture: closeFuture)
            try await handler.handle(request, grant: grant, writer: &writer)
        }
    }

    /// Checks the bearer with the supervisor. Answers 401/403 itself and returns nil when
    /// the request may not proceed.
    private func authorize(_ request: HTTPRequest, scope: String, writer: inout ResponseWriter) async throws -> TokenGrant? {
        // The scheme name is case-insensitive (RFC 9110 §11.1).
        guard let header = request.headers.first(name: "Authorization"), header.count > 7,
            header.prefix(7).lowercased() == "bearer "
        else {
            try await writer.send(
                error: .unauthorized("missing or malformed Authorization header (expected: Bearer <token>)"),
                headers: [("WWW-Authenticate", "Bearer")])
            return nil
        }
        let bearer = String(header.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
        guard !bearer.isEmpty, bearer.utf8.count <= Limits.maxBearerBytes else {
            try await writer.send(error: .unauthorized("invalid bearer token"), headers: [("WWW-Authenticate", "Bearer")])
            return nil
        }
        switch try await context.supervisor.authorize(bearer: bearer, scope: scope) {
        case .success(let grant):
            return grant
        case .failure(let error):
            let headers = error.status == 401 ? [("WWW-Authenticate", "Bearer")] : []
            try await writer.send(error: error, headers: headers)
            return nil
        }
    }
}

