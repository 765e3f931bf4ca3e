// Runs in: a worker (`ccproxy-worker`).
// POST /v1/chat/completions: decode, plan, run one claude turn, stream or aggregate.

import CCProxyClaude
import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// Runs one chat completion as one `claude` turn.
struct ChatCompletionsHandler {
    let context: WorkerContext
    let logger: Logger
    let closeFuture: EventLoopFuture<Void>

    func handle(_ request: HTTPRequest, grant: TokenGrant, writer: inout ResponseWriter) async throws {
        let chat: ChatCompletionRequest
        let plan: TurnPlan
        do {
            chat = try ChatCompletionRequest.decode(request.body)
            let headers = TurnHeaders(
                claudeModel: request.header("X-CC-Claude-Model"), effort: request.header("X-CC-Effort"),
                verbosity: request.header("X-CC-Verbosity"))
            plan = try TurnPlanner.plan(
                request: chat, headers: headers, settings: context.settings,
                tokenDefaultVerbosity: grant.defaultVerbosity)
        } catch {
            try await writer.send(error: error)
            return
        }
        if !chat.ignoredParameters.isEmpty {
            writer.extraHeaders.append(("X-CC-Ignored-Params", chat.ignoredParameters.joined(separator: ",")))
        }
        // Workspace: a configured one by name (header, else the alias's), never a path.
        var configuredPath: String?
        if let name = request.header("X-CC-Workspace") ?? plan.workspaceName {
            guard let workspace = context.settings.workspaces[name] else {
                try await writer.send(error: .invalidRequest("unknown workspace: \(JSONString.quote(name))", code: "unknown_workspace"))
                return
            }
            guard grant.scopes.contains("workspace:*") || grant.scopes.contains("workspace:" + name) else {
                try await writer.send(error: .forbidden("token missing required scope: workspace:\(name)"))
                return
            }
            configuredPath = workspace.path
        }
        let workspace: TurnWorkspace
        do {
            workspace = try TurnWorkspace.create(
                stateDirectory: context.settings.stateDirectory, configuredPath: configuredPath, systemPrompt: plan.systemPrompt?.text)
        } catch {
            logger.error("could not create the turn's directories", metadata: ["error": "\(error)"])
            try await writer.send(error: .serverError("could not prepare a workspace"))
            return
        }
        defer { workspace.remove() }
        var arguments = plan.arguments
        if let file = workspace.systemPromptFile, let flag = plan.systemPrompt?.flag { arguments += [flag, file] }

        let process: ClaudeProcess
        do {
            let executable = context.settings.claudeBinary
            let environment = workspace.environment(base: context.claudeEnvironment)
            let workingDirectory = workspace.workingDirectory
            let input = plan.standardInput
            let arguments = arguments
            process = try await SpawnThread.shared.run {
                try ClaudeProcess.start(
                    executable: executable, arguments: arguments, environment: environment,
                    workingDirectory: workingDirectory, input: input)
            }
        } catch {
            logger.error("could not start claude", metadata: ["error": "\(error)", "binary": "\(context.settings.claudeBinary)"])
            try await writer.send(error: .upstreamError("could not start claude: \(error)"))
            return
        }
        TurnRegistry.add(process.pid)
        defer { TurnRegistry.remove(process.pid) }
        try? context.supervisor.send(.turnStarted(processGroup: process.pid))
        logger.info("turn started", metadata: ["model": "\(plan.modelID)", "claude_pid": "\(process.pid)", "stream": "\(chat.stream)"])

        // Disconnect and timeout both stop the process group; the output loop then ends.
        let stopReason = StopReason()
        closeFuture.whenComplete { _ in
            stopReason.set("client disconnected")
            process.stop()
        }
        let timeout = closeFuture.eventLoop.scheduleTask(in: .milliseconds(Int64(context.settings.requestTimeoutSeconds * 1000))) {
            stopReason.set("request timeout")
            process.stop()
        }
        defer { timeout.cancel() }

        let turn = TurnStream(
            process: process, completionID: CompletionID.make(),
            model: plan.modelID)
        // The supervisor hears how the turn ended even when the client is gone and a write fails.
        var writeFailure: (any Error)?
        do {
            if chat.stream {
                try await stream(turn, includeUsage: chat.includeUsage ?? true, writer: &writer, stopReason: stopReason)
            } else {
                try await respond(turn, writer: &writer, stopReason: stopReason)
            }
        } catch {
            writeFailure = error
        }
        try? context.supervisor.send(.turnEnded)
        if let usage = turn.usage {
            try? context.supervisor.send(.turnFinished(tokenID: grant.tokenID, inputTokens: usage.input, outputTokens: usage.output))
        }
        logger.info(
            "turn finished",
            metadata: [
                "exit": "\(process.exitStatus.map { "\($0)" } ?? "?")",
                "stopped": "\(stopReason.value ?? "no")",
            ])
        if let writeFailure { throw writeFailure }
    }

    private func stream(_ turn: TurnStream, includeUsage: Bool, writer: inout ResponseWriter, stopReason: StopReason) async throws {
        try await writer.startEventStream()
        let output = writer
        var clientGone = false
        await turn.run { chunk in
            guard !clientGone else { return }
            do {
                try await output.streamBytes(chunk.sseFrame())
            } catch {
                clientGone = true
                stopReason.set("client disconnected")
                turn.process.stop()
            }
        }
        guard !clientGone else { return }
        var terminal = turn.finish(stopReason: stopReason.value)
        if !includeUsage { terminal.usage = nil }
        try await output.streamBytes(terminal.sseFrame())
        if let error = turn.upstreamError {
            // OpenAI clients raise on an error event, so the failure is not mistaken for an answer.
            try await output.streamBytes(SSE.errorFrame(error))
        }
        try await output.streamBytes(SSE.done)
        try await output.endEventStream()
    }

    private func respond(_ turn: TurnStream, writer: inout ResponseWriter, stopReason: StopReason) async throws {
        var aggregator = CompletionAggregator(completionID: turn.completionID, model: turn.model, created: turn.created)
        await turn.run { aggregator.add($0) }
        let reason = stopReason.value
        let terminal = turn.finish(stopReason: reason)
        if reason == "client disconnected" { return }
        if reason == "request timeout" {
            try await writer.send(error: APIError(status: 504, type: "timeout_error", code: "request_timeout", message: "the turn exceeded request_timeout"))
            return
        }
        if let error = turn.upstreamError {
            try await writer.send(error: error)
            return
        }
        aggregator.add(terminal)
        try await writer.send(status: .ok, body: aggregator.completion().jsonBody())
    }
}

/// Why a turn was stopped early, first reason wins. Shared with NIO callbacks.
final class StopReason: Sendable {
    private let reason = Mutex<String?>(nil)

    func set(_ value: String) { reason.withLock { if $0 == nil { $0 = value } } }
    var value: String? { reason.withLock { $0 } }
}
