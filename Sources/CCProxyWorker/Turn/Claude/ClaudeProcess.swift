// Runs in: a worker (`ccproxy-worker`).
// One running `claude`: its own process group, the prompt on stdin, stream-json on stdout read
// with back-pressure, a bounded tail of stderr. Stopping it stops the whole group (invariant 5).

import CCProxyClaude
import CCProxyCore
import CCProxyPosix
import NIOCore
import NIOPosix

/// A `claude` process and its pipes, all served by the worker's event loop.
///
/// stdin and stdout form one NIO pipe channel: the prompt is written and stdin half-closed;
/// stdout is decoded line by line into `ClaudeOutput` and read through an async stream with
/// a small high-water mark. When the turn's consumer is slow (a slow client), the stream stops
/// reading, the pipe fills, and claude blocks on its next write: memory stays bounded by the
/// pipe and the stream's buffer, never by how much claude prints.
///
/// Spawned on `SpawnThread` (the parent-death signal is tied to the spawning thread); exits
/// are learnt from `ChildWatcher`, which also kills the rest of the group as soon as claude
/// itself has exited, so that a background tool process holding stdout open cannot keep the
/// turn alive.
final class ClaudeProcess: Sendable {
    /// What to run.
    struct Launch: Sendable {
        var executable: String
        var arguments: [String]
        var environment: [String]
        var workingDirectory: String
    }

    /// The claude process; its pid is also its process group id.
    let group: ProcessGroup
    var pid: Int32 { group.id }

    private let stdio: NIOAsyncChannel<ClaudeOutput, ByteBuffer>
    private let stderrChannel: any Channel
    private let stderr: StderrTail
    private let exit: EventLoopFuture<ExitStatus>
    private let exitState: ExitState
    private let eventLoop: any EventLoop

    private init(
        group: ProcessGroup, stdio: NIOAsyncChannel<ClaudeOutput, ByteBuffer>, stderrChannel: any Channel,
        stderr: StderrTail, exit: EventLoopFuture<ExitStatus>, exitState: ExitState, eventLoop: any EventLoop
    ) {
        self.group = group
        self.stdio = stdio
        self.stderrChannel = stderrChannel
        self.stderr = stderr
        self.exit = exit
        self.exitState = exitState
        self.eventLoop = eventLoop
    }

    /// Starts claude. `keepAlive` is the tick period (nil: no ticks); with `keepRawLines`
    /// every event comes with the line it was parsed from (for a debug capture).
    /// - Throws: `ClaudeStartError` when the process or its pipes cannot be set up; nothing
    ///   is left running then.
    static func start(
        _ launch: Launch, eventLoop: any EventLoop, keepAlive: TimeAmount?, keepRawLines: Bool = false
    ) async throws(ClaudeStartError) -> ClaudeProcess {
        let spawned: Spawned
        do {
            spawned = try await SpawnThread.shared.run { try Spawned.spawn(launch) }
        } catch {
            throw ClaudeStartError(reason: "\(error)")
        }
        let group = ProcessGroup(spawned.pid)
        TurnRegistry.add(group.id)
        let promise = eventLoop.makePromise(of: ExitStatus.self)
        let exitState = ExitState()
        ChildWatcher.shared.watch(group.id) { status in
            group.kill()
            exitState.value.withLock { $0 = status }
            TurnRegistry.remove(group.id)
            promise.succeed(status)
        }
        let tail = StderrTail()
        // Ownership of the pipe ends passes to NIO step by step: once a bootstrap has made its
        // channel, a failure closes that channel (and its descriptors) itself, so only what no
        // channel took yet is closed by hand here — never a descriptor twice.
        let stdio: NIOAsyncChannel<ClaudeOutput, ByteBuffer>
        do {
            stdio = try await NIOPipeBootstrap(group: eventLoop)
                .takingOwnershipOfDescriptors(input: spawned.stdout, output: spawned.stdin) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(ByteToMessageHandler(StreamJSONDecoder(maxLineBytes: Limits.maxStreamJSONLineBytes, keepRawLines: keepRawLines)))
                        if let keepAlive { try sync.addHandler(KeepAliveTicker(period: keepAlive)) }
                        return try NIOAsyncChannel<ClaudeOutput, ByteBuffer>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(
                                backPressureStrategy: .init(
                                    lowWatermark: Limits.claudeOutputLowWatermark,
                                    highWatermark: Limits.claudeOutputHighWatermark),
                                isOutboundHalfClosureEnabled: true))
                    }
                }
        } catch {
            group.kill()
            closeDescriptor(spawned.stderr)
            throw ClaudeStartError(reason: "could not attach to claude's pipes: \(error)")
        }
        let stderrChannel: any Channel
        do {
            stderrChannel = try await NIOPipeBootstrap(group: eventLoop)
                .takingOwnershipOfDescriptor(input: spawned.stderr) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(StderrTailHandler(tail: tail))
                        return channel
                    }
                }
        } catch {
            group.kill()
            stdio.channel.close(promise: nil)
            throw ClaudeStartError(reason: "could not attach to claude's stderr: \(error)")
        }
        // Every wait on claude's output is bounded by its exit: once claude has exited, its pipes
        // get a short grace to drain and are then closed, even if a process outside the group (a
        // tool that called setsid) still holds them open.
        let stdioChannel = stdio.channel
        promise.futureResult.whenSuccess { _ in
            eventLoop.scheduleTask(in: .milliseconds(Int64(Limits.claudePipeDrainSeconds * 1000))) {
                stdioChannel.close(promise: nil)
                stderrChannel.close(promise: nil)
            }
        }
        return ClaudeProcess(
            group: group, stdio: stdio, stderrChannel: stderrChannel, stderr: tail, exit: promise.futureResult,
            exitState: exitState, eventLoop: eventLoop)
    }

    /// Writes `input` to claude's stdin and closes it, then runs `body` over claude's output.
    /// The output ends when stdout closes (claude and its group are gone); `body` may also
    /// stop early. Call once.
    func run<Result: Sendable>(
        input: [UInt8], _ body: (NIOAsyncChannelInboundStream<ClaudeOutput>) async throws -> Result
    ) async throws -> Result {
        try await stdio.executeThenClose { inbound, outbound in
            // The write is queued at once (an async writer enqueues, it does not wait for the
            // pipe to drain); half-closing afterwards tells claude there is no second message.
            // EPIPE (claude exited before reading it all) is claude's failure, seen in its exit.
            try? await outbound.write(ByteBuffer(bytes: input))
            outbound.finish()
            return try await body(inbound)
        }
    }

    /// How claude ended. Waits for it.
    func exitStatus() async -> ExitStatus {
        // The promise is only ever succeeded.
        (try? await exit.get()) ?? .exited(-1)
    }

    /// Calls `body` once claude has exited (at once if it has).
    func onExit(_ body: @escaping @Sendable () -> Void) {
        exit.whenComplete { _ in body() }
    }

    /// Whether claude has exited.
    var hasExited: Bool { exitState.value.withLock { $0 != nil } }

    /// The last bytes claude wrote to stderr, as text. Complete once the turn is over.
    var stderrText: String { stderr.text }

    /// Stops the whole process group: SIGTERM now, SIGKILL after `grace` if claude still runs.
    func stop(grace: Double = Limits.claudeKillGraceSeconds) {
        guard !hasExited else { return }
        group.terminate()
        let group = self.group
        let exitState = self.exitState
        eventLoop.scheduleTask(in: .milliseconds(Int64(grace * 1000))) {
            if exitState.value.withLock({ $0 == nil }) { group.kill() }
        }
    }

    /// Stops the group unless claude has exited by itself within `seconds`.
    func stop(after seconds: Double) {
        guard !hasExited else { return }
        eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) { [self] in stop() }
    }

    /// Releases what is left after the turn: waits a moment for the rest of stderr (its last
    /// line is often the only explanation of a failure), then closes both pipe channels. Safe
    /// to call on every path, whether or not `run` was called.
    func release() async {
        let eventLoop = self.eventLoop
        let stderrChannel = self.stderrChannel
        // Whichever comes first: stderr's end, or the drain time (both on the event loop, so
        // the flag needs no lock).
        let done = eventLoop.makePromise(of: Void.self)
        _ = eventLoop.submit {
            let completed = NIOLoopBoundBox(false, eventLoop: eventLoop)
            let finish: @Sendable () -> Void = {
                guard !completed.value else { return }
                completed.value = true
                done.succeed()
            }
            stderrChannel.closeFuture.whenComplete { _ in finish() }
            eventLoop.scheduleTask(in: .milliseconds(Int64(Limits.claudePipeDrainSeconds * 1000))) { finish() }
        }
        try? await done.futureResult.get()
        stderrChannel.close(promise: nil)
        stdio.channel.close(promise: nil)
    }
}

/// How claude ended, once known; shared between the watcher thread and the turn.
final class ExitState: Sendable {
    let value = Locked<ExitStatus?>(nil)
}

/// Why claude could not be started (missing binary, no permission, bad directory, no pipes).
struct ClaudeStartError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// A freshly spawned claude and the parent's ends of its pipes.
private struct Spawned: Sendable {
    var pid: Int32
    var stdin: Int32
    var stdout: Int32
    var stderr: Int32

    /// Call on `SpawnThread`.
    static func spawn(_ launch: ClaudeProcess.Launch) throws(PosixError) -> Spawned {
        let stdin = try PipePair.make()
        let stdout = try PipePair.make()
        let stderr = try PipePair.make()
        let request = ProcessSpawner.Request(
            executable: launch.executable, arguments: [launch.executable] + launch.arguments,
            environment: launch.environment, workingDirectory: launch.workingDirectory,
            descriptors: [(stdin.read, 0), (stdout.write, 1), (stderr.write, 2)],
            newProcessGroup: true, parentDeathSignal: SIGKILL)
        let pid: Int32
        do {
            pid = try ProcessSpawner.spawn(request)
        } catch {
            for fd in [stdin.read, stdin.write, stdout.read, stdout.write, stderr.read, stderr.write] {
                closeDescriptor(fd)
            }
            throw error
        }
        closeDescriptor(stdin.read)
        closeDescriptor(stdout.write)
        closeDescriptor(stderr.write)
        return Spawned(pid: pid, stdin: stdin.write, stdout: stdout.read, stderr: stderr.read)
    }
}
