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

    func handle(_ request: HTTPRequest, grant: TokenGrant, writer: inout ResponseWriter) async throws {
        let plan: TurnPlan
        do {
            plan = try await makePlan(request, grant: grant)
        } catch {
            try await writer.send(error: error)
            return
        }
        if !plan.ignoredParameters.isEmpty {
            writer.extraHeaders.append(("X-CC-Ignored-Params", plan.ignoredParameters.joined(separator: ",")))
        }
        let workspace: TurnWorkspace
        do {
            workspace = try prepareWorkspace(request, plan: plan, grant: grant)
        } catch let error as APIError {
            try await writer.send(error: error)
            return
        } catch {
            logger.error("could not create the turn's directories", metadata: ["error": "\(error)"])
            try await writer.send(error: .serverError("could not prepare a workspace"))
            return
        }
        defer { workspace.remove() }

        let process: ClaudeProcess
        do {
            process = try await ClaudeProcess.start(
                launch(plan: plan, workspace: workspace), eventLoop: connection.eventLoop,
                keepAlive: plan.stream ? keepAlivePeriod : nil)
        } catch {
            logger.error("could not start claude", metadata: ["error": "\(error)", "binary": "\(context.settings.claudeBinary)"])
            try await writer.send(error: .upstreamError("could not start claude: \(error)"))
            return
        }
        try? context.supervisor.send(.turnStarted(processGroup: process.pid))
        logger.info("turn started", metadata: ["model": "\(plan.modelID)", "claude_pid": "\(process.pid)", "stream": "\(plan.stream)"])

        let stop = TurnStop()
        let timeout = watch(process, stop: stop)
        defer { timeout.cancel() }

        let identity = CompletionIdentity(id: CompletionID.make(), created: Int(Date().timeIntervalSince1970), model: plan.modelID)
        var driver = TurnDriver(
            process: process, input: plan.standardInput, stop: stop,
            options: RenderOptions(verbosity: plan.verbosity, includeReasoning: plan.includeReasoning),
            onResult: { bill($0, grant: grant) })
        let report: TurnDriver.Report
        if plan.stream {
            var sink = EventStreamSink(writer: writer, identity: identity, includeUsage: plan.includeUsage, keepAlive: keepAliveDuration)
            report = await driver.run(into: &sink)
        } else {
            var sink = CompletionSink(writer: writer, identity: identity)
            report = await driver.run(into: &sink)
        }
        try? context.supervisor.send(.turnEnded)
        logger.info(
            "turn finished",
            metadata: [
                "exit": "\(report.exit)",
                "stopped": "\(report.stopCause.map { "\($0)" } ?? "no")",
                "outcome": "\(report.outcome.map(Self.describe) ?? "not delivered")",
            ])
    }

    // MARK: - Steps

    /// Decoding and planning: everything about the turn that can be decided without I/O (but
    /// for fetching remote images first, when the operator enabled them).
    private func makePlan(_ request: HTTPRequest, grant: TokenGrant) async throws(APIError) -> TurnPlan {
        var chat = try ChatCompletionRequest.decode(request.body)
        if context.settings.remoteImages { chat = try await RemoteImageFetcher.inline(chat) }
        let headers = TurnHeaders(
            claudeModel: request.header("X-CC-Claude-Model"), effort: request.header("X-CC-Effort"),
            verbosity: request.header("X-CC-Verbosity"))
        return try TurnPlanner.plan(
            request: chat, headers: headers, settings: context.settings, tokenDefaultVerbosity: grant.defaultVerbosity)
    }

    /// A configured workspace by name (the header, else the alias's), never a path; else an
    /// ephemeral one.
    private func prepareWorkspace(_ request: HTTPRequest, plan: TurnPlan, grant: TokenGrant) throws -> TurnWorkspace {
        var configuredPath: String?
        if let name = request.header("X-CC-Workspace") ?? plan.workspaceName {
            guard let workspace = context.settings.workspaces[name] else {
                throw APIError.invalidRequest("unknown workspace: \(JSONString.quote(name))", code: "unknown_workspace")
            }
            let scopes = Set(grant.scopes.compactMap(Scope.init))
            guard scopes.contains(.anyWorkspace) || scopes.contains(.workspace(name)) else {
                throw APIError.forbidden("token missing required scope: \(Scope.workspace(name))")
            }
            configuredPath = workspace.path
        }
        return try TurnWorkspace.create(
            stateDirectory: context.settings.stateDirectory, configuredPath: configuredPath,
            systemPrompt: plan.systemPrompt?.text)
    }

    private func launch(plan: TurnPlan, workspace: TurnWorkspace) -> ClaudeProcess.Launch {
        var arguments = plan.arguments
        if let file = workspace.systemPromptFile, let systemPrompt = plan.systemPrompt {
            arguments += [systemPrompt.flag, file]
        }
        return ClaudeProcess.Launch(
            executable: context.settings.claudeBinary, arguments: arguments,
            environment: workspace.environment(base: context.claudeEnvironment),
            workingDirectory: workspace.workingDirectory)
    }

    /// Disconnect and timeout both stop the process group; the driver then sees the end of
    /// claude's output. (A timed-out response that cannot be finished — a client that stopped
    /// reading — is cut off by the connection's own deadline, `Limits.responseGraceSeconds`.)
    private func watch(_ process: ClaudeProcess, stop: TurnStop) -> Scheduled<Void> {
        connection.closeFuture.whenComplete { _ in
            stop.set(.clientGone)
            process.stop(grace: Limits.claudeDisconnectGraceSeconds)
        }
        let timeout = context.settings.requestTimeoutSeconds
        return connection.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) {
            guard stop.set(.timeout) else { return }
            process.stop()
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

    private static func describe(_ outcome: TurnOutcome) -> String {
        switch outcome {
        case .completed(let finishReason, _): "completed (\(finishReason.rawValue))"
        case .failed(let error): "failed (\(error.status): \(error.message))"
        }
    }
}
