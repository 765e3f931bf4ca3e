// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore
import CCProxyPosix
import NIOCore

/// Runs one started claude to its end: reads its output, renders it, feeds the sink, and
/// decides the outcome.
///
/// The driver is the turn's only consumer and the sink's only caller, so output is written by
/// one task in order (keep-alive ticks arrive in the same stream as claude's events).
///
/// The answer is complete at claude's `result`: the driver stops reading there and finishes
/// the sink at once (the client does not wait for node to exit); claude then gets
/// `Limits.claudeExitAfterResultSeconds` to exit by itself before its group is stopped.
struct TurnDriver {
    let process: ClaudeProcess
    let input: [UInt8]
    let stop: TurnStop
    var renderer: TurnRenderer
    var tracker = TurnOutcomeTracker()
    /// Called once with claude's `result`, before the answer is delivered, so that the
    /// supervisor has the usage before the client can send its next request.
    let onResult: (ClaudeResult) -> Void
    /// The turn's use of claude's session storage. For a persistent session the sink is begun
    /// only at the first rendered output (or keep-alive tick), so that a session claude
    /// refuses (`SessionMismatch`) can be retried before the client has seen anything.
    let sessionMode: ClaudeSessionMode
    /// The calls of the client's functions, when the turn offers any: once they are complete
    /// the turn ends with `finish_reason: tool_calls` (`endAfterClientCalls`).
    var clientCalls: ClientCallCollector?
    private var begun = false

    init(
        process: ClaudeProcess, input: [UInt8], stop: TurnStop, options: RenderOptions,
        sessionMode: ClaudeSessionMode = .stateless, clientFunctions: [String] = [], parallelCalls: Bool = true,
        onResult: @escaping (ClaudeResult) -> Void
    ) {
        self.tracker = TurnOutcomeTracker(requiresStructuredOutput: options.structuredOutput)
        self.process = process
        self.input = input
        self.stop = stop
        self.renderer = TurnRenderer(options: options)
        if !clientFunctions.isEmpty {
            clientCalls = ClientCallCollector(
                prefix: ClientFunctions.toolPrefix, functions: clientFunctions, parallel: parallelCalls)
        }
        self.sessionMode = sessionMode
        self.onResult = onResult
    }

    /// What happened, for billing and logs.
    struct Report {
        /// nil when the client went away and nothing was delivered.
        var outcome: TurnOutcome?
        var exit: ExitStatus
        var stopCause: TurnStopCause?
        var result: ClaudeResult?
        var sessionID: String?
        /// Set when claude refused the session flag before any output: nothing reached the
        /// client, and the turn may run again with `sessionMode.retry`.
        var sessionMismatch: SessionMismatch?
    }

    /// Runs the turn into `sink`. A write failure stops claude and ends the turn quietly
    /// (the client is gone); every other failure is reported to the client through the sink.
    mutating func run(into sink: inout some TurnSink) async -> Report {
        var delivered = true
        do {
            if sessionMode == .stateless { try await begin(&sink) }
            try await pump(into: &sink)
        } catch {
            // begin() failing, or a SinkWriteFailure: the client is gone.
            delivered = false
        }
        if !delivered, stop.set(.clientGone) {
            process.stop(grace: Limits.claudeDisconnectGraceSeconds)
        } else if !delivered {
            process.stop()
        }
        if let result = tracker.result { onResult(result) }
        if !begun, delivered, stop.value == nil, let report = await refusedSession() { return report }
        if !begun, delivered {
            do { try await begin(&sink) } catch { delivered = false }
        }
        var outcome: TurnOutcome?
        if delivered, stop.value == nil, clientCalls?.complete == true {
            // No `result` will come: bill what the turn's messages report so far.
            if tracker.result == nil {
                onResult(ClaudeResult(isError: false, usage: tracker.usageSoFar, sessionID: tracker.sessionID))
            }
            outcome = await deliver(tracker.clientCallsOutcome(), into: &sink)
            endAfterClientCalls()
        } else if delivered, stop.value == nil, tracker.result != nil {
            // Complete: answer now, then let claude exit (or stop it).
            outcome = tracker.outcome(exitDescription: nil, stderrTail: "")
            outcome = await deliver(outcome, into: &sink)
            process.stop(after: Limits.claudeExitAfterResultSeconds)
        }
        let exit = await process.exitStatus()
        await process.release()
        let cause = stop.value
        if delivered, outcome == nil, cause != .clientGone {
            outcome = await deliver(Self.outcome(tracker: tracker, exit: exit, cause: cause, stderr: process.stderrText), into: &sink)
        }
        return Report(
            outcome: outcome, exit: exit, stopCause: outcome == nil && delivered ? .clientGone : cause,
            result: tracker.result, sessionID: tracker.sessionID)
    }

    /// The client has the calls; claude, which now waits for their answers from the function
    /// server, is stopped. This is the seam for the continuation: a later step keeps it
    /// waiting here (holding this worker, within `tool_result_timeout`) and hands it the
    /// client's results when the follow-up arrives; until then a follow-up is served from the
    /// transcript like any history.
    private func endAfterClientCalls() {
        process.stop()
    }

    private mutating func begin(_ sink: inout some TurnSink) async throws {
        guard !begun else { return }
        begun = true
        try await sink.begin()
    }

    /// When claude refused the session flag (and nothing was shown), the report that says
    /// so, once claude has exited; nil otherwise.
    private func refusedSession() async -> Report? {
        guard sessionMode != .stateless else { return nil }
        if let result = tracker.result {
            guard SessionMismatch.detect(mode: sessionMode, result: result, stderr: "") != nil else { return nil }
            process.stop(after: Limits.claudeExitAfterResultSeconds)
        }
        let exit = await process.exitStatus()
        await process.release()
        guard let mismatch = SessionMismatch.detect(mode: sessionMode, result: tracker.result, stderr: process.stderrText)
        else { return nil }
        return Report(
            outcome: nil, exit: exit, stopCause: nil, result: tracker.result, sessionID: tracker.sessionID,
            sessionMismatch: mismatch)
    }

    /// Finishes the sink; nil when the client is gone by then.
    private func deliver(_ outcome: TurnOutcome?, into sink: inout some TurnSink) async -> TurnOutcome? {
        guard let outcome else { return nil }
        do {
            try await sink.finish(outcome)
            return outcome
        } catch {
            return nil
        }
    }

    /// Reads claude's output until its `result` or the end of its output. Rendering errors do
    /// not exist (renderers are total); stream errors (an over-long line) and an answer too
    /// large to collect stop claude with a cause; write errors propagate as `SinkWriteFailure`.
    private mutating func pump(into sink: inout some TurnSink) async throws {
        do {
            try await process.run(input: input) { output in
                for try await item in output {
                    switch item {
                    case .event(let event, let raw):
                        if let raw { sink.observe(rawLine: raw) }
                        tracker.consume(event)
                        for delta in renderer.consume(event) {
                            do { try await begin(&sink) } catch { throw SinkWriteFailure() }
                            try await emit(delta, into: &sink)
                        }
                        if var calls = clientCalls {
                            let deltas = calls.consume(event)
                            clientCalls = calls
                            if calls.longestArguments > Limits.maxToolArgumentsBytes { throw ArgumentsTooLarge() }
                            for delta in deltas {
                                do { try await begin(&sink) } catch { throw SinkWriteFailure() }
                                try await emit(delta, into: &sink)
                            }
                            if calls.complete { return }
                        }
                        if case .result = event { return }
                    case .tick:
                        do {
                            try await begin(&sink)
                            try await sink.tick()
                        } catch {
                            throw SinkWriteFailure()
                        }
                    }
                }
            }
        } catch let failure as SinkWriteFailure {
            throw failure
        } catch is SinkOverflow {
            stop.set(.responseTooLarge)
            process.stop()
        } catch is ArgumentsTooLarge {
            stop.set(.argumentsTooLarge)
            process.stop()
        } catch is ClaudeStreamError {
            stop.set(.overlongLine)
            process.stop()
        } catch {
            stop.set(.outputFailed("\(error)"))
            process.stop()
        }
    }

    private func emit(_ delta: TurnDelta, into sink: inout some TurnSink) async throws {
        do {
            try await sink.emit(delta)
        } catch let overflow as SinkOverflow {
            throw overflow
        } catch {
            throw SinkWriteFailure()
        }
    }

    /// The outcome the client gets when the turn did not end with a `result` read in full.
    static func outcome(tracker: TurnOutcomeTracker, exit: ExitStatus, cause: TurnStopCause?, stderr: String) -> TurnOutcome {
        switch cause {
        case .timeout?:
            return .failed(
                APIError(status: 504, type: "timeout_error", code: "request_timeout", message: "the turn exceeded request_timeout"))
        case .overlongLine?:
            return .failed(.upstreamError("claude printed a line over \(Limits.maxStreamJSONLineBytes) bytes; the turn was stopped"))
        case .responseTooLarge?:
            return .failed(.upstreamError("the answer exceeds \(Limits.maxCompletionBytes) bytes; use stream: true for long answers"))
        case .outputFailed(let reason)?:
            return .failed(.upstreamError("reading claude's output failed: \(reason)"))
        case .argumentsTooLarge?:
            return .failed(
                .upstreamError("claude called a function with arguments over \(Limits.maxToolArgumentsBytes) bytes; the turn was stopped"))
        case .bridgeGone?:
            return .failed(
                .upstreamError("the bridge went away during the turn: its daemon disconnected and its directory is no longer mounted"))
        case .clientGone?, nil:
            let description: String? = exit == .exited(0) ? nil : "\(exit)"
            return tracker.outcome(exitDescription: description, stderrTail: stderr)
        }
    }
}

/// A write to the client failed: the client is gone.
struct SinkWriteFailure: Error {}

/// A sink that collects the answer has reached `Limits.maxCompletionBytes`.
struct SinkOverflow: Error {}

/// A call of a client function has passed `Limits.maxToolArgumentsBytes` of arguments.
struct ArgumentsTooLarge: Error {}
