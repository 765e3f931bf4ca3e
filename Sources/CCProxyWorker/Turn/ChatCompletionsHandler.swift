// Runs in: a worker (`ccproxy-worker`).
// POST /v1/chat/completions: the turn pipeline, one small step after another.

import CCProxyClaude
import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Runs one chat completion as one `claude` turn:
/// decode → plan (pure) → workspace → start claude → drive (render → sink) → bill.
struct ChatCompletionsHandler {
    let context: WorkerContext
    let logger: Logger
    /// The client's channel: its close future detects disconnects, its loop runs timers.
    let connection: any Channel

    /// - Returns: the follow-up of a turn waiting in another worker, found and reserved for
    ///   this connection: the caller passes the connection over, unanswered.
    func handle(_ request: HTTPRequest, grant: TokenGrant, writer: inout ResponseWriter) async throws -> FollowUp? {
        let capture = grant.debugCapture
            ? TurnCapture.open(
                stateDirectory: context.settings.stateDirectory, requestID: request.requestID,
                maxBytes: context.settings.capturesMaxBytes, logger: logger)
            : nil
        capture?.recordRequest(request)
        defer { capture?.finish() }
        let plan: TurnPlan
        let chat: ChatCompletionRequest
        let requestedWorkspace: String?
        do {
            (chat, plan) = try await makePlan(request, grant: grant)
            requestedWorkspace = try workspaceName(request, plan: plan, grant: grant)
        } catch {
            try await refuse(error, capture: capture, writer: &writer)
            return nil
        }
        switch try await routeFollowUp(chat: chat, plan: plan, request: request, grant: grant, capture: capture, writer: writer) {
        case .continuedHere: return nil
        case .passOn(let followUp): return followUp
        case .newTurn: break
        }
        if grant.followUpOnly {
            // Admitted at the concurrent-turn cap only as a waiting turn's follow-up, and it is none.
            try await refuse(
                APIError(
                    status: 429, type: "rate_limit_error", code: "rate_limit_exceeded",
                    message: "per-token concurrent turns exceeded (a turn of this token waits for its function results)",
                    retryAfterSeconds: Int(Limits.concurrencyRetryAfterSeconds)),
                capture: capture, writer: &writer)
            return nil
        }
        if !plan.ignoredParameters.isEmpty {
            writer.extraHeaders.append(("X-CC-Ignored-Params", plan.ignoredParameters.joined(separator: ",")))
        }
        var session: LeasedSession?
        if let name = plan.sessionName {
            // A new session is bound to what its first turn runs in: the named workspace,
            // else the principal's bridge when one is connected, else its own directory.
            let binding = requestedWorkspace ?? (grant.bridgeMount != nil ? BridgePaths.sessionBinding : nil)
            switch try await leaseSession(name, workspace: binding, grant: grant) {
            case .success(let leased): session = leased
            case .failure(let error):
                try await refuse(error, capture: capture, writer: &writer)
                return nil
            }
        }
        // The lease goes back on every path; `started` says whether claude now holds the
        // conversation.
        var sessionStarted = false
        defer { if session != nil { try? context.supervisor.send(.releaseSession(started: sessionStarted)) } }

        let workspace: TurnWorkspace
        do {
            workspace = try await prepareWorkspace(
                plan: plan, requested: requestedWorkspace, session: session, grant: grant,
                requireBridge: request.header("X-CC-Require-Bridge") == "true")
        } catch let error as APIError {
            try await refuse(error, capture: capture, writer: &writer)
            return nil
        } catch {
            logger.error("could not create the turn's directories", metadata: ["error": "\(error)"])
            try await refuse(.serverError("could not prepare a workspace"), capture: capture, writer: &writer)
            return nil
        }
        if session == nil, capture == nil, !plan.clientFunctions.isEmpty,
            let desk = await FunctionCallDesk.open(path: workspace.root + "/fc.sock", eventLoop: connection.eventLoop, logger: logger)
        {
            try await runWaitable(plan: plan, workspace: workspace, desk: desk, grant: grant, deadline: request.deadline, writer: writer)
            return nil
        }
        defer { workspace.remove() }

        var mode = session?.mode ?? .stateless
        var report = try await runTurn(plan: plan, mode: mode, workspace: workspace, grant: grant, capture: capture, deadline: request.deadline, writer: &writer)
        if let mismatch = report?.sessionMismatch, let retry = mode.retry {
            // claude's storage disagrees with the registry (its files are gone, or a first turn
            // got further than the registry knew): run once more the other way, and say so
            // when the conversation starts over.
            logger.warning(
                "claude refused the session flag, retrying",
                metadata: ["mismatch": "\(mismatch)", "claude_session": "\(session?.lease.claudeSessionID ?? "")"])
            if mismatch == .missing { writer.extraHeaders.append(("X-CC-Session-Reset", "true")) }
            mode = retry
            report = try await runTurn(plan: plan, mode: mode, workspace: workspace, grant: grant, capture: capture, deadline: request.deadline, writer: &writer)
        }
        if let session, let report {
            sessionStarted = report.sessionID == session.lease.claudeSessionID || report.result?.sessionID == session.lease.claudeSessionID
        }
        return nil
    }

    /// Where a request goes when it may be the follow-up of a waiting turn.
    private enum FollowUpRouting {
        /// It continued the turn waiting in this worker, on this connection.
        case continuedHere
        /// A turn waits for it in another worker, reserved for this connection.
        case passOn(FollowUp)
        /// No turn waits for it: a turn of its own (from the transcript).
        case newTurn
    }

    private func routeFollowUp(
        chat: ChatCompletionRequest, plan: TurnPlan, request: HTTPRequest, grant: TokenGrant, capture: TurnCapture?,
        writer: ResponseWriter
    ) async throws -> FollowUpRouting {
        let followUp = plan.sessionName == nil && capture == nil
            ? FollowUpDetector.followUp(of: chat, plan: plan, requestID: request.requestID) : nil
        if let own = WaitingTurns.current, own.isWaiting {
            // This connection's previous request left a turn waiting here, and the client sent
            // the next request on it at once (it is read already, so it cannot go back).
            if let followUp, own.tokenID == grant.tokenID, own.waits(for: Set(followUp.results.map(\.callID))) {
                try await continueHere(followUp, link: own, deadline: request.deadline, writer: writer)
                return .continuedHere
            }
            // Anything else ends that turn first: a worker runs one turn at a time.
            own.end()
            await own.finished()
            try? context.supervisor.send(.waitingTurnEnded)
        }
        guard let followUp, followUp.fits(maxFrameBytes: Limits.maxWorkerFrameBytes),
            try await context.supervisor.findWaitingTurn(callIDs: followUp.results.map(\.callID))
        else { return .newTurn }
        logger.info("follow-up passed to its waiting turn", metadata: ["calls": "\(followUp.results.count)"])
        return .passOn(followUp)
    }

    /// A stateless turn that offers the client's functions: it runs in a task of its own, so
    /// that when its claude calls them it can wait for the results beyond this request
    /// (`WaitingTurnLink`). Returns once this request's answer is complete: the whole turn,
    /// or its `tool_calls`; the turn then waits, held by the worker, and ends in its task.
    private func runWaitable(
        plan: TurnPlan, workspace: TurnWorkspace, desk: FunctionCallDesk, grant: TokenGrant, deadline: NIODeadline,
        writer: ResponseWriter
    ) async throws {
        var workspace = workspace
        do {
            try workspace.offerFunctionCallSocket(desk.path)
        } catch {
            desk.close()
            workspace.remove()
            var writer = writer
            try await refuse(.serverError("could not prepare the turn's function server"), capture: nil, writer: &writer)
            return
        }
        let identity = CompletionIdentity(id: CompletionID.make(), created: Int(Date().timeIntervalSince1970), model: plan.modelID)
        let box = SegmentSinkBox(makeSink(plan: plan, writer: writer, identity: identity, stream: plan.stream, includeUsage: plan.includeUsage))
        let handler = self
        let link = WaitingTurnLink(desk: desk, box: box, supervisor: context.supervisor, tokenID: grant.tokenID) { writer, identity, followUp in
            handler.makeSink(plan: plan, writer: writer, identity: identity, stream: followUp.stream, includeUsage: followUp.includeUsage)
        }
        WaitingTurns.set(link)
        let turnWorkspace = workspace
        Task {
            var writer = writer
            _ = try? await handler.runTurn(
                plan: plan, mode: .stateless, workspace: turnWorkspace, grant: grant, capture: nil, deadline: deadline,
                writer: &writer, link: link)
            turnWorkspace.remove()
            link.turnFinished()
        }
        await link.segmentFinished()
    }

    /// The follow-up of the turn waiting in this worker, on the connection it waits on: the
    /// supervisor learns that the turn no longer waits (the slot is serving it again).
    private func continueHere(_ followUp: FollowUp, link: WaitingTurnLink, deadline: NIODeadline, writer: ResponseWriter) async throws {
        try context.supervisor.send(.waitingTurnEnded)
        let identity = CompletionIdentity(id: CompletionID.make(), created: Int(Date().timeIntervalSince1970), model: followUp.model)
        let sink = link.makeSink(writer, identity, followUp)
        guard link.resume(results: followUp.results, sink: sink, connection: connection, deadline: deadline) != nil else {
            var writer = writer
            try await writer.send(error: .upstreamError("the turn waiting for these results ended before they came; send the request again"))
            return
        }
        logger.info("follow-up continues the waiting turn on its own connection", metadata: ["results": "\(followUp.results.count)"])
        await link.segmentFinished()
    }

    /// The sink of one response of a turn (the first request's, or a follow-up's).
    func makeSink(plan: TurnPlan, writer: ResponseWriter, identity: CompletionIdentity, stream: Bool, includeUsage: Bool) -> any TurnSink {
        if stream {
            return EventStreamSink(writer: writer, identity: identity, includeUsage: includeUsage, keepAlive: keepAliveDuration)
        }
        return CompletionSink(writer: writer, identity: identity, callDemanded: plan.toolChoice.demandsCall)
    }

    /// Starts claude for the plan in `mode` and drives it into the right sink. nil when claude
    /// could not be started (the client has its error then).
    private func runTurn(
        plan: TurnPlan, mode: ClaudeSessionMode, workspace: TurnWorkspace, grant: TokenGrant, capture: TurnCapture?,
        deadline: NIODeadline, writer: inout ResponseWriter, link: WaitingTurnLink? = nil
    ) async throws -> TurnDriver.Report? {
        let claudeLaunch: ClaudeProcess.Launch
        do {
            claudeLaunch = try launch(plan: plan, mode: mode, workspace: workspace, grant: grant)
        } catch let error as WorkspaceAccessError {
            logger.error("a workspace is not usable by the server's user", metadata: ["error": "\(error)"])
            try await refuse(
                .serverError("the workspace is not accessible to the server; the operator must give the server's user access"),
                capture: capture, writer: &writer)
            return nil
        } catch let error as ClaudeStartError {
            logger.error("could not start claude", metadata: ["error": "\(error)", "binary": "\(context.settings.claudeBinary)"])
            try await refuse(.upstreamError("could not start claude: \(error)"), capture: capture, writer: &writer)
            return nil
        } catch {
            logger.error("could not prepare claude's launch", metadata: ["error": "\(error)"])
            try await refuse(.serverError("could not prepare the turn's claude home"), capture: capture, writer: &writer)
            return nil
        }
        let process: ClaudeProcess
        do {
            process = try await ClaudeProcess.start(
                claudeLaunch, eventLoop: connection.eventLoop,
                keepAlive: plan.stream ? keepAlivePeriod : nil, keepRawLines: capture != nil)
        } catch {
            logger.error("could not start claude", metadata: ["error": "\(error)", "binary": "\(context.settings.claudeBinary)"])
            try await refuse(.upstreamError("could not start claude: \(error)"), capture: capture, writer: &writer)
            return nil
        }
        try? context.supervisor.send(.turnStarted(processGroup: process.pid))
        logger.info(
            "turn started",
            metadata: [
                "model": "\(plan.modelID)", "claude_pid": "\(process.pid)", "stream": "\(plan.stream)",
                "session": "\(Self.describe(mode))",
            ])

        let stop = TurnStop()
        let timeout = watch(process, stop: stop, deadline: deadline, connection: connection, link: link, segment: 0)
        defer { timeout.cancel() }
        if let link {
            link.attach(WaitingTurnLink.Turn(process: process, stop: stop) { channel, deadline, segment in
                watch(process, stop: stop, deadline: deadline, connection: channel, link: link, segment: segment)
            })
            process.onExit { link.claudeExited() }
        }
        let bridgeWatch = workspace.bridgeMount.map { watchBridge($0, process: process, stop: stop) }
        defer { bridgeWatch?.cancel() }

        let identity = CompletionIdentity(id: CompletionID.make(), created: Int(Date().timeIntervalSince1970), model: plan.modelID)
        var driver = TurnDriver(
            process: process, input: mode.standardInput(plan), stop: stop,
            options: RenderOptions(
                verbosity: plan.verbosity, includeReasoning: plan.includeReasoning,
                clientFunctionPrefix: plan.clientFunctions.isEmpty ? nil : ClientFunctions.toolPrefix,
                structuredOutput: plan.structuredOutput),
            sessionMode: mode, clientFunctions: plan.clientFunctions.map(\.name),
            parallelCalls: plan.parallelToolCalls, onResult: { bill($0, grant: grant) })
        driver.waiting = link
        let report: TurnDriver.Report
        let streamSink = EventStreamSink(writer: writer, identity: identity, includeUsage: plan.includeUsage, keepAlive: keepAliveDuration)
        let completionSink = CompletionSink(writer: writer, identity: identity, callDemanded: plan.toolChoice.demandsCall)
        switch (plan.stream, capture) {
        case _ where link != nil:
            var sink = SegmentSink(box: link?.box ?? SegmentSinkBox(streamSink))
            report = await driver.run(into: &sink)
        case (true, nil):
            var sink = streamSink
            report = await driver.run(into: &sink)
        case (false, nil):
            var sink = completionSink
            report = await driver.run(into: &sink)
        case (true, let capture?):
            var sink = CaptureSink(inner: streamSink, capture: capture, collects: false)
            report = await driver.run(into: &sink)
        case (false, let capture?):
            var sink = CaptureSink(inner: completionSink, capture: capture, collects: true)
            report = await driver.run(into: &sink)
        }
        try? context.supervisor.send(.turnEnded)
        logger.info(
            "turn finished",
            metadata: [
                "exit": "\(report.exit)",
                "stopped": "\(report.stopCause.map { "\($0)" } ?? "no")",
                "outcome": "\(report.outcome.map(Self.describe) ?? (report.sessionMismatch.map { "session \($0)" } ?? "not delivered"))",
            ])
        return report
    }

    // MARK: - Steps

    /// Answers with an error before any turn output (and notes it in the capture).
    private func refuse(_ error: APIError, capture: TurnCapture?, writer: inout ResponseWriter) async throws {
        capture?.recordResponse(["outcome": "refused", "error": TurnCapture.describe(error)])
        try await writer.send(error: error)
    }

    /// Decoding and planning: everything about the turn that can be decided without I/O (but
    /// for fetching remote images first, when the operator enabled them).
    private func makePlan(_ request: HTTPRequest, grant: TokenGrant) async throws(APIError) -> (ChatCompletionRequest, TurnPlan) {
        var chat = try ChatCompletionRequest.decode(request.body)
        if context.settings.remoteImages {
            chat = try await RemoteImageFetcher.inline(chat, policy: ImageHostPolicy(allowPrivate: context.settings.remoteImagesAllowPrivate))
        }
        let headers = TurnHeaders(
            claudeModel: request.header("X-CC-Claude-Model"), effort: request.header("X-CC-Effort"),
            verbosity: request.header("X-CC-Verbosity"), session: request.header("X-CC-Session"))
        return (chat, try TurnPlanner.plan(
            request: chat, headers: headers, settings: context.settings, tokenDefaultVerbosity: grant.defaultVerbosity))
    }

    /// The configured workspace the request names (`X-CC-Workspace`, else the alias's
    /// binding), checked: it exists and the token has its scope. Names only, never paths.
    private func workspaceName(_ request: HTTPRequest, plan: TurnPlan, grant: TokenGrant) throws(APIError) -> String? {
        guard let name = request.header("X-CC-Workspace").flatMap({ $0.isEmpty ? nil : $0 }) ?? plan.workspaceName else {
            return nil
        }
        try checkWorkspace(name, grant: grant)
        return name
    }

    private func checkWorkspace(_ name: String, grant: TokenGrant) throws(APIError) {
        guard context.settings.workspaces[name] != nil else {
            throw APIError.invalidRequest("unknown workspace: \(JSONString.quote(name))", code: "unknown_workspace")
        }
        let scopes = Set(grant.scopes.compactMap(Scope.init))
        guard scopes.contains(.anyWorkspace) || scopes.contains(.workspace(name)) else {
            throw APIError.forbidden("token missing required scope: \(Scope.workspace(name))")
        }
    }

    /// Leases the persistent session for this turn (the supervisor checks the scope as well,
    /// and may make the turn wait while another one uses the session).
    private func leaseSession(_ name: String, workspace: String?, grant: TokenGrant) async throws -> Result<LeasedSession, APIError> {
        guard Set(grant.scopes.compactMap(Scope.init)).contains(.sessionPersistent) else {
            return .failure(.forbidden("token missing required scope: \(Scope.sessionPersistent)"))
        }
        return try await context.supervisor.acquireSession(name: name, workspace: workspace).map { LeasedSession(name: name, lease: $0) }
    }

    /// The working directory, by the resolution chain: the workspace the request names
    /// (header, then the alias's binding) → the session's workspace → the mount of the
    /// principal's connected bridge → an ephemeral one (or 412 `bridge_unavailable` with
    /// `X-CC-Require-Bridge: true`). A session is bound to the workspace it was created in
    /// (claude keeps a conversation per working directory), so a request that names another
    /// one is refused with 409.
    private func prepareWorkspace(
        plan: TurnPlan, requested: String?, session: LeasedSession?, grant: TokenGrant, requireBridge: Bool
    ) async throws -> TurnWorkspace {
        var configuredPath: String?
        var bridgeMount: String?
        if let session {
            if requested != nil, requested != session.lease.workspace {
                throw APIError(
                    status: 409, type: "invalid_request_error", code: "session_workspace_conflict",
                    message: "session \(JSONString.quote(session.name)) is bound to "
                        + (session.lease.workspace.map {
                            $0 == BridgePaths.sessionBinding ? "its principal's bridge" : "workspace \(JSONString.quote($0))"
                        } ?? "its own workspace")
                        + "; this request names workspace \(JSONString.quote(requested ?? ""))")
            }
            if session.lease.workspace == BridgePaths.sessionBinding {
                guard let mount = grant.bridgeMount, await Self.mountIsReady(mount) else {
                    throw APIError(
                        status: 412, type: "bridge_unavailable", code: "bridge_unavailable",
                        message: "session \(JSONString.quote(session.name)) runs on this principal's bridge, and no bridge is connected")
                }
                configuredPath = mount
                bridgeMount = mount
            } else if let bound = session.lease.workspace {
                try checkWorkspace(bound, grant: grant)
                configuredPath = context.settings.workspaces[bound]?.path
            } else {
                configuredPath = try TurnWorkspace.sessionDirectory(
                    stateDirectory: context.settings.stateDirectory, claudeSessionID: session.lease.claudeSessionID)
            }
        } else if let requested {
            configuredPath = context.settings.workspaces[requested]?.path
        } else if let mount = grant.bridgeMount, await Self.mountIsReady(mount) {
            logger.info("turn runs in the bridge's mount", metadata: ["mount": "\(mount)"])
            configuredPath = mount
            bridgeMount = mount
        } else if requireBridge {
            throw APIError(
                status: 412, type: "bridge_unavailable", code: "bridge_unavailable",
                message: grant.principal == nil
                    ? "X-CC-Require-Bridge=true but the token has no principal, so no bridge can serve it"
                    : "X-CC-Require-Bridge=true but no bridge is connected for this principal")
        }
        var workspace = try TurnWorkspace.create(
            stateDirectory: context.settings.stateDirectory, configuredPath: configuredPath,
            systemPrompt: plan.systemPrompt?.text, hostMCPServers: context.settings.hostMCPServers,
            clientFunctions: plan.clientFunctions)
        workspace.bridgeMount = bridgeMount
        if bridgeMount != nil, let socket = grant.bridgeExecSocket, FileStatus.isSocket(socket) {
            try workspace.offerBridgeExec(socket: socket)
        }
        return workspace
    }

    /// Whether the bridge's FUSE helper has mounted `path`, waiting a little for a helper
    /// that is still starting (a chat sent right as the daemon connects).
    static func mountIsReady(_ path: String) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(Limits.bridgeMountWaitSeconds * 1000))
        while !MountPoint.isFuseMounted(at: path) {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// claude's command line (the sandbox's, around claude's own), environment and working
    /// directory. The working directory is the one workspace the sandbox leaves writable.
    private func launch(plan: TurnPlan, mode: ClaudeSessionMode, workspace: TurnWorkspace, grant: TokenGrant) throws -> ClaudeProcess.Launch {
        var arguments = plan.arguments + mode.arguments
        if let file = workspace.systemPromptFile, let systemPrompt = plan.systemPrompt {
            arguments += [systemPrompt.flag, file]
        }
        // Added to whatever MCP servers claude finds itself (never `--strict-mcp-config`): the
        // operator's, then the turn's function server.
        let mcpFiles = [workspace.hostMCPFile, workspace.clientMCPFile, workspace.bridgeMCPFile].compactMap { $0 }
        if !mcpFiles.isEmpty { arguments += ["--mcp-config"] + mcpFiles }
        return try ClaudeLaunchBuilder(settings: context.settings, serverEnvironment: context.claudeEnvironment).launch(
            arguments: arguments, workspace: workspace, ownerDirectoryName: grant.ownerDirectoryName,
            grantedWorkspacePath: workspace.workingDirectory)
    }

    /// Disconnect and timeout both stop the process group; the driver then sees the end of
    /// claude's output. (A timed-out response that cannot be finished — a client that stopped
    /// reading — is cut off by the connection's own deadline, `Limits.responseGraceSeconds`.)
    /// For a turn that may wait (`link`), both act only while `segment` is the one served:
    /// once it waits, its first connection may close and its first deadline pass.
    private func watch(
        _ process: ClaudeProcess, stop: TurnStop, deadline: NIODeadline, connection: any Channel, link: WaitingTurnLink?,
        segment: Int
    ) -> Scheduled<Void> {
        connection.closeFuture.whenComplete { _ in
            guard link?.isCurrent(segment) ?? true else { return }
            stop.set(.clientGone)
            process.stop(grace: Limits.claudeDisconnectGraceSeconds)
        }
        return connection.eventLoop.scheduleTask(deadline: deadline) {
            guard link?.isCurrent(segment) ?? true else { return }
            guard stop.set(.timeout) else { return }
            process.stop()
        }
    }

    /// A turn on a bridge ends when the bridge does: the mount is looked for in the mount
    /// table (never through the mount itself, which a dead bridge would make hang) every
    /// `Limits.bridgeWatchIntervalSeconds`; gone, claude is stopped and the client told why.
    private func watchBridge(_ mount: String, process: ClaudeProcess, stop: TurnStop) -> RepeatedTask {
        let interval = TimeAmount.seconds(Limits.bridgeWatchIntervalSeconds)
        return connection.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { task in
            guard !MountPoint.isFuseMounted(at: mount) else { return }
            task.cancel()
            if stop.set(.bridgeGone) { process.stop() }
        }
    }

    /// Usage goes to the supervisor even when the client is gone: claude's tokens were spent.
    /// Each count is capped (`Limits.maxTurnTokens`); the supervisor bills the token it
    /// granted this connection, and refuses a token it did not grant.
    private func bill(_ result: ClaudeResult, grant: TokenGrant) {
        guard let usage = result.usage else { return }
        try? context.supervisor.send(
            .turnFinished(
                tokenID: grant.tokenID, inputTokens: UInt64(Usage.capped(usage.input)),
                outputTokens: UInt64(Usage.capped(usage.output))))
    }

    private var keepAliveDuration: Duration? {
        let seconds = context.settings.streamKeepaliveSeconds
        return seconds > 0 ? .milliseconds(Int64(seconds * 1000)) : nil
    }

    /// Ticks come a few times per keep-alive period, so that the silence before a comment is
    /// at most a third longer than configured.
    private var keepAlivePeriod: TimeAmount? {
        let seconds = context.settings.streamKeepaliveSeconds
        return seconds > 0 ? .milliseconds(max(100, Int64(seconds * 1000 / 3))) : nil
    }

    private static func describe(_ mode: ClaudeSessionMode) -> String {
        switch mode {
        case .stateless: "none"
        case .start(let id): "start \(id)"
        case .resume(let id): "resume \(id)"
        }
    }

    private static func describe(_ outcome: TurnOutcome) -> String {
        switch outcome {
        case .completed(let finishReason, _): "completed (\(finishReason.rawValue))"
        case .failed(let error): "failed (\(error.status): \(error.message))"
        }
    }
}
