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
struct TurnDriver {
    let process: ClaudeProcess
    let input: [UInt8]
    let stop: TurnStop
    var renderer: TurnRenderer
    var tracker = TurnOutcomeTracker()

    init(process: ClaudeProcess, input: [UInt8], stop: TurnStop, options: RenderOptions) {
        self.process = process
        self.input = input
        self.stop = stop
        self.renderer = TurnRenderer(options: options)
    }

    /// What happened, for billing and logs.
    struct Report {
        /// nil when the client went away and nothing was delivered.
        var outcome: TurnOutcome?
        var exit: ExitStatus
        var stopCause: TurnStopCause?
        var result: ClaudeResult?
        var sessionID: String?
    }

    /// Runs the turn into `sink`. A write failure stops claude and ends the turn quietly
    /// (the client is gone); every other failure is reported to the client through the sink.
    mutating func run(into sink: inout some TurnSink) async -> Report {
        var delivered = true
        do {
            try await sink.begin()
            try await pump(into: &sink)
        } catch is SinkWriteFailure {
            delivered = false
        } catch {
            // begin() failing means the client is gone before the first byte.
            delivered = false
        }
        if !delivered {
            stop.set(.clientGone)
            process.stop(grace: Limits.claudeDisconnectGraceSeconds)
        }
        let exit = await process.exitStatus()
        process.release()
        let cause = stop.value
        var report = Report(outcome: nil, exit: exit, stopCause: cause, result: tracker.result, sessionID: tracker.sessionID)
        guard cause != .clientGone else { return report }
        let outcome = Self.outcome(tracker: tracker, exit: exit, cause: cause, stderr: process.stderrText)
        report.outcome = outcome
        do {
            try await sink.finish(outcome)
        } catch {
            report.outcome = nil
            report.stopCause = .clientGone
        }
        return report
    }

    /// Reads claude's output until it ends. Rendering errors do not exist (renderers are
    /// total); stream errors (an over-long line) stop claude; sink errors propagate as
    /// `SinkWriteFailure`.
    private mutating func pump(into sink: inout some TurnSink) async throws {
        do {
            try await process.run(input: input) { output in
                for try await item in output {
                    switch item {
                    case .event(let event):
                        tracker.consume(event)
                        for delta in renderer.consume(event) {
                            do { try await sink.emit(delta) } catch { throw SinkWriteFailure() }
                        }
                    case .tick:
                        do { try await sink.tick() } catch { throw SinkWriteFailure() }
                    }
                }
            }
        } catch let failure as SinkWriteFailure {
            throw failure
        } catch is ClaudeStreamError {
            stop.set(.overlongLine)
            process.stop()
        } catch {
            // Another pipe failure: stop claude; the outcome says what claude left behind.
            process.stop()
        }
    }

    /// The outcome the client gets.
    static func outcome(tracker: TurnOutcomeTracker, exit: ExitStatus, cause: TurnStopCause?, stderr: String) -> TurnOutcome {
        switch cause {
        case .timeout?:
            return .failed(
                APIError(status: 504, type: "timeout_error", code: "request_timeout", message: "the turn exceeded request_timeout"))
        case .overlongLine?:
            return .failed(.upstreamError("claude printed a line over \(Limits.maxStreamJSONLineBytes) bytes; the turn was stopped"))
        case .clientGone?, nil:
            let description: String? = exit == .exited(0) ? nil : "\(exit)"
            return tracker.outcome(exitDescription: description, stderrTail: stderr)
        }
    }
}

/// A write to the client failed: the client is gone.
struct SinkWriteFailure: Error {}
