// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore
import Foundation

/// claude's stdout → stream-json events → OpenAI chunks, for one turn.
final class TurnStream: @unchecked Sendable {
    let process: ClaudeProcess
    let completionID: String
    let model: String
    let created: Int
    private var translator: ChunkTranslator
    private var splitter = LineSplitter(maxLineBytes: Limits.maxStreamJSONLineBytes)
    private var streamFailure: String?

    init(process: ClaudeProcess, completionID: String, model: String) {
        self.process = process
        self.completionID = completionID
        self.model = model
        self.created = Int(Date().timeIntervalSince1970)
        self.translator = ChunkTranslator(completionID: completionID, model: model, created: created)
    }

    /// Feeds every chunk to `emit` as claude produces it; returns once claude has exited.
    func run(_ emit: (ChatCompletionChunk) async -> Void) async {
        for await bytes in process.output() {
            let lines: [[UInt8]]
            do {
                lines = try splitter.append(bytes)
            } catch {
                streamFailure = "claude printed an over-long line"
                process.stop()
                continue
            }
            for line in lines {
                for chunk in translator.consume(ClaudeEventDecoder.decode(line: line)) { await emit(chunk) }
            }
        }
        if let rest = splitter.finish() {
            for chunk in translator.consume(ClaudeEventDecoder.decode(line: rest)) { await emit(chunk) }
        }
    }

    /// The terminal chunk (finish_reason, usage). Call once, after `run`.
    func finish(stopReason: String?) -> ChatCompletionChunk {
        var description = stopReason ?? streamFailure
        if description == nil, let status = process.exitStatus, status != .exited(0), translator.result == nil {
            let stderr = process.stderrText
            description = "claude \(status)" + (stderr.isEmpty ? "" : ": " + String(stderr.suffix(500)))
        }
        return translator.finish(exitDescription: description)
    }

    /// The error a non-streaming client should get instead of a completion, if any.
    var upstreamError: APIError? {
        if let error = translator.upstreamError { return error }
        if translator.result == nil {
            let stderr = process.stderrText
            let status = process.exitStatus.map { "\($0)" } ?? "ended"
            return .upstreamError("claude \(status) without a result" + (stderr.isEmpty ? "" : ": " + String(stderr.suffix(500))))
        }
        return nil
    }

    /// Token usage reported by claude's result, if any.
    var usage: (input: UInt64, output: UInt64)? {
        guard let usage = translator.result?.usage else { return nil }
        return (UInt64(max(0, usage.input)), UInt64(max(0, usage.output)))
    }
}
