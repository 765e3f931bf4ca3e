// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore
import CCProxyWire
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Maps method and path to a handler; unknown paths are 404, known paths with another
/// method are 405 with `Allow`, both in the OpenAI error shape. CORS (when configured)
/// answers preflights here and decorates every response for allowed origins.
struct Router {
    let context: WorkerContext
    let logger: Logger
    /// The client's channel (disconnect detection, timers).
    let connection: any Channel

    /// The routes, by the method they accept.
    enum Route: Equatable {
        case health, ready, models, model(id: String), chatCompletions, bridge

        var method: HTTPMethod {
            switch self {
            case .chatCompletions: .POST
            default: .GET
            }
        }

        /// The route for `path`, or nil. `/v1/models/{id}` takes a percent-encoded id.
        init?(path: String) {
            switch path {
            case "/healthz": self = .health
            case "/readyz": self = .ready
            case "/v1/models": self = .models
            case "/v1/chat/completions": self = .chatCompletions
            case "/bridge": self = .bridge
            default:
                let prefix = "/v1/models/"
                guard path.hasPrefix(prefix), path.utf8.count > prefix.utf8.count else { return nil }
                let raw = String(path.dropFirst(prefix.count))
                guard let id = raw.removingPercentEncoding, !id.isEmpty, !id.contains("/") else { return nil }
                self = .model(id: id)
            }
        }
    }

    /// Answers the request, except an accepted `GET /bridge`: that one is returned, unanswered,
    /// for the connection to leave the HTTP pipeline and become a websocket.
    @discardableResult
    func handle(_ request: HTTPRequest, writer: inout ResponseWriter) async throws -> Departure? {
        let cors = CORSPolicy(origins: context.settings.corsOrigins)
        let origin = request.header("Origin")
        writer.extraHeaders += cors.responseHeaders(origin: origin)
        guard let route = Route(path: request.path) else {
            try await writer.send(error: .notFound("no route for \(request.method.rawValue) \(request.path)"))
            return nil
        }
        // A preflight names the method it asks about; any other OPTIONS is an ordinary request.
        if request.method == .OPTIONS, cors.isEnabled, request.header("Access-Control-Request-Method") != nil {
            try await preflight(request, cors: cors, origin: origin, writer: &writer)
            return nil
        }
        guard request.method == route.method else {
            try await writer.send(
                error: .methodNotAllowed("\(request.path) accepts \(route.method.rawValue) only"),
                headers: [("Allow", route.method.rawValue)])
            return nil
        }
        switch route {
        case .health:
            try await HealthHandler(settings: context.settings).health(writer: &writer)
        case .ready:
            try await HealthHandler(settings: context.settings).ready(writer: &writer)
        case .models:
            guard try await authorize(request, scope: .chat, writer: &writer) != nil else { return nil }
            let list = ModelList(data: catalogue())
            try await writer.send(status: .ok, body: ResponseEncoder().body(list))
        case .model(let id):
            guard try await authorize(request, scope: .chat, writer: &writer) != nil else { return nil }
            guard let model = TurnPlanner.model(id: id, settings: context.settings) else {
                try await writer.send(error: .notFound("The model '\(id)' does not exist", code: "model_not_found"))
                return nil
            }
            let object = ModelObject(id: model.id, created: ModelObject.catalogueCreated, ownedBy: model.ownedBy)
            try await writer.send(status: .ok, body: ResponseEncoder().body(object))
        case .chatCompletions:
            guard let grant = try await authorize(request, scope: .chat, writer: &writer) else { return nil }
            let handler = ChatCompletionsHandler(context: context, logger: logger, connection: connection)
            return try await handler.handle(request, grant: grant, writer: &writer).map(Departure.waitingTurn)
        case .bridge:
            return try await admitBridge(request, writer: &writer).map(Departure.bridge)
        }
        return nil
    }

    /// `GET /bridge`: a `bridge:connect` token with a principal (the bridge is the
    /// principal's) and a valid websocket handshake; anything else is answered here.
    private func admitBridge(_ request: HTTPRequest, writer: inout ResponseWriter) async throws -> BridgeAdmission? {
        guard let grant = try await authorize(request, scope: .bridgeConnect, writer: &writer) else { return nil }
        guard let principal = grant.principal, !principal.isEmpty else {
            try await writer.send(
                error: APIError(
                    status: 403, type: "permission_error", code: "principal_required",
                    message: "a bridge needs a token with a principal (ccproxy token create --principal NAME --scopes bridge:connect)"))
            return nil
        }
        if let problem = BridgeUpgrade.problem(headers: request.headers) {
            try await writer.send(error: problem, headers: problem.status == 426 ? [("Upgrade", "websocket")] : [])
            return nil
        }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: request.path, headers: request.headers)
        let switching = try await BridgeUpgrade.switchingProtocols(head: head, requestID: request.requestID, on: connection)
        return BridgeAdmission(grant: grant, requestID: request.requestID, switchingProtocols: switching)
    }

    /// A CORS preflight: 204 with the allow headers for an allowed origin, 403 otherwise.
    /// No bearer is needed (browsers send none on a preflight).
    private func preflight(_ request: HTTPRequest, cors: CORSPolicy, origin: String?, writer: inout ResponseWriter) async throws {
        guard let origin, cors.allows(origin) else {
            try await writer.send(
                error: APIError(
                    status: 403, type: "permission_error", code: "cors_origin_not_allowed",
                    message: "origin \(origin.map { JSONString.quote($0) } ?? "(none)") is not in cors_origins"))
            return
        }
        writer.extraHeaders.removeAll { $0.0.hasPrefix("Access-Control-") || $0.0 == "Vary" }
        let headers = cors.preflightHeaders(origin: origin, requestedHeaders: request.header("Access-Control-Request-Headers"))
        try await writer.sendNoContent(headers: headers)
    }

    private func catalogue() -> [ModelObject] {
        TurnPlanner.modelCatalogue(settings: context.settings).map {
            ModelObject(id: $0.id, created: ModelObject.catalogueCreated, ownedBy: $0.ownedBy)
        }
    }

    /// Checks the bearer with the supervisor. Answers 401/403/429/503 itself and returns nil
    /// when the request may not proceed. Every response to an authenticated request gets the
    /// token's `x-ratelimit-*` headers.
    private func authorize(_ request: HTTPRequest, scope: Scope, writer: inout ResponseWriter) async throws -> TokenGrant? {
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
        switch try await context.supervisor.authorize(bearer: bearer, scope: scope.description, requestID: request.requestID) {
        case .success(let grant):
            writer.extraHeaders += grant.limits.responseHeaders
            return grant
        case .failure(let refusal):
            if let limits = refusal.limits { writer.extraHeaders += limits.responseHeaders }
            let headers = refusal.error.status == 401 ? [("WWW-Authenticate", "Bearer")] : []
            try await writer.send(error: refusal.error, headers: headers)
            return nil
        }
    }
}

/// A request after which the connection leaves this worker's HTTP pipeline unanswered.
enum Departure: Sendable {
    /// An accepted `GET /bridge`: the socket becomes the bridge's websocket.
    case bridge(BridgeAdmission)
    /// The follow-up of a turn waiting in another worker, reserved for this connection.
    case waitingTurn(FollowUp)
}
