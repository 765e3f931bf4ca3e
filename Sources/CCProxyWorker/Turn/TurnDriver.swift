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
    /// Set for a turn that may wait for the client's results instead of ending at its calls
    /// (see `WaitingTurnLink`); its sink must then be the link's `SegmentSink`.
    var waiting: WaitingTurnLink?
    private var begun = false
    private let options: RenderOptions
    private let clientFunctions: [String]
    private let parallelCalls: Bool
    /// What earlier segments of a waiting turn have billed: claude's `result` counts the
    /// whole process, so the last segment bills the rest.
    private var billed = ClaudeResult.TokenUsage()
    /// The turn waited after its last calls and no follow-up came: they were delivered and
    /// billed already.
    private var waitEnded = false

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
        self.options = options
        self.clientFunctions = clientFunctions
        self.parallelCalls = parallelCalls
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
        if let result = tracker.result { onResult(result.subtracting(billed)) }
        if !begun, delivered, stop.value == nil, let report = await refusedSession() { return report }
        if !begun, delivered {
            do { try await begin(&sink) } catch { delivered = false }
        }
        var outcome: TurnOutcome?
        if waitEnded {
            outcome = tracker.clientCallsOutcome()
            endAfterClientCalls()
        } else if delivered, stop.value == nil, clientCalls?.complete == true {
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

    /// The client has the calls and no follow-up will reach this claude (the turn cannot wait:
    /// it has a session or a capture, or its wait ended): claude, blocked on its function
    /// server, is stopped, and a follow-up is served from the transcript like any history.
    private func endAfterClientCalls() {
        process.stop()
    }

    /// The calls are complete and the turn may wait: the client gets them now (with the
    /// usage so far, billed now), then claude stays blocked on its tools until the follow-up.
    /// - Returns: whether a follow-up came (the link attached its sink); false ends the turn.
    private mutating func waitForResults(_ calls: [ToolCall], link: WaitingTurnLink, into sink: inout some TurnSink) async -> Bool {
        link.declare(calls)
        let usage = tracker.usageSoFar
        onResult(ClaudeResult(isError: false, usage: usage, sessionID: tracker.sessionID))
        billed = billed.adding(usage)
        link.answering()
        do {
            try await begin(&sink)
            try await sink.finish(tracker.clientCallsOutcome())
        } catch {
            // The client is gone before it had the calls: no follow-up can come.
            link.end()
        }
        return await link.wait()
    }

    /// A follow-up continues the turn: its answer is a new response, rendered afresh.
    private mutating func startNextSegment() {
        renderer = TurnRenderer(options: options)
        tracker = TurnOutcomeTracker(requiresStructuredOutput: options.structuredOutput)
        clientCalls = ClientCallCollector(prefix: ClientFunctions.toolPrefix, functions: clientFunctions, parallel: parallelCalls)
        begun = false
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
                            if calls.complete {
                                guard let waiting else { return }
                                guard await waitForResults(calls.calls, link: waiting, into: &sink) else {
                                    waitEnded = true
                                    return
                                }
                                startNextSegment()
                            }
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

extension ClaudeResult {
    /// The result with `earlier` taken off its input and output counts (never below zero):
    /// what is left to bill after the segments before it.
    func subtracting(_ earlier: ClaudeResult.TokenUsage) -> ClaudeResult {
        guard var usage else { return self }
        usage.input = max(0, usage.input - earlier.input)
        usage.output = max(0, usage.output - earlier.output)
        var result = self
        result.usage = usage
        return result
    }
}

extension ClaudeResult.TokenUsage {
    /// Both counts summed, saturating at `Limits.maxTurnTokens`.
    func adding(_ other: ClaudeResult.TokenUsage) -> ClaudeResult.TokenUsage {
        var sum = self
        sum.input = min(Limits.maxTurnTokens, input + other.input)
        sum.output = min(Limits.maxTurnTokens, output + other.output)
        return sum
    }
}
