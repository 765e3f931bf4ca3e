/// Every limit on a resource a client (or a peer process) controls, named in one place.
///
/// Values that operators may want to change are also configuration keys; these are the
/// defaults and the hard ceilings.
public enum Limits {
    /// Largest request body accepted on any route (4 MiB). Larger → 413.
    public static let maxRequestBodyBytes = 4 * 1024 * 1024
    /// Largest request head (request line plus headers). Larger → 431.
    public static let maxRequestHeadBytes = 64 * 1024
    /// Time a client has to send its complete request (head and body), in seconds.
    public static let requestReadTimeoutSeconds: Double = 30
    /// Largest single line claude may print on stdout (stream-json) before the turn fails.
    public static let maxStreamJSONLineBytes = 16 * 1024 * 1024
    /// Bytes of claude's stderr kept for diagnostics (the newest win).
    public static let claudeStderrTailBytes = 64 * 1024
    /// Grace between SIGTERM and SIGKILL when a claude process group is stopped, in seconds.
    public static let claudeKillGraceSeconds: Double = 2
    /// The same grace when the client is gone: nobody waits for a tidy exit, so the group is
    /// killed sooner.
    public static let claudeDisconnectGraceSeconds: Double = 1
    /// After claude exited, how long its pipes may still deliver output before they are
    /// closed (a background process outside its group may hold them open forever).
    public static let claudePipeDrainSeconds: Double = 0.5
    /// After claude printed its `result`, how long it may take to exit by itself before its
    /// group is stopped (the answer is already complete and sent).
    public static let claudeExitAfterResultSeconds: Double = 2
    /// Largest answer collected for a non-streaming response (content and reasoning); past it
    /// the turn is stopped and fails with 502 rather than growing the worker without bound.
    public static let maxCompletionBytes = 16 * 1024 * 1024
    /// claude output events buffered for a turn before the worker stops reading claude's
    /// stdout (back-pressure: a slow client makes claude wait). Reading resumes below the low mark.
    public static let claudeOutputHighWatermark = 16
    public static let claudeOutputLowWatermark = 4
    /// How long a CORS preflight answer may be cached by the browser (`Access-Control-Max-Age`).
    public static let corsPreflightMaxAgeSeconds = 600
    /// Longest silence on a stream before an SSE keep-alive comment, when not configured.
    public static let defaultStreamKeepAliveSeconds: Double = 15
    /// How long the start-up check of the turn sandbox (`SandboxProbe`) may take, in seconds.
    public static let sandboxProbeTimeoutSeconds: Double = 10
    /// Largest frame on a worker ↔ supervisor channel (SOCK_SEQPACKET datagrams).
    public static let maxWorkerFrameBytes = 64 * 1024
    /// Largest Prometheus exposition the supervisor renders and a worker accepts for one
    /// scrape (sent in `metricsPart` frames of at most `metricsPartBytes`).
    public static let maxMetricsExpositionBytes = 4 * 1024 * 1024
    /// Exposition bytes in one `metricsPart` frame (below `maxWorkerFrameBytes` with room for the header).
    public static let metricsPartBytes = 60 * 1024
    /// Distinct token names the metrics keep as `token_name` label values; requests of
    /// further tokens are counted under `other` (label cardinality stays bounded).
    public static let maxMetricsTokenNames = 64
    /// Distinct `ccproxy_requests_total` series kept; a request that would open another is
    /// counted under `status="0"`, `token_name="other"` of its endpoint and method (so the
    /// exposition stays far below `maxMetricsExpositionBytes` whatever workers report).
    public static let maxMetricsRequestSeries = 2000
    /// Largest frame on the admin socket.
    public static let maxAdminFrameBytes = 1024 * 1024
    /// Time an admin client (`ccproxyctl`) has to send its whole request frame, in seconds;
    /// the supervisor never waits for it (the connection is polled), it drops it after this.
    public static let adminFrameDeadlineSeconds: Double = 2
    /// Admin connections waiting for their request at once; a new one beyond it closes the
    /// one that has waited longest.
    public static let maxPendingAdminConnections = 16
    /// How long an admin client waits for a token operation's reply (argon2 and SQLite on
    /// the authority thread), in seconds; the supervisor drops an unanswered connection after
    /// it, and `ccproxyctl` stops waiting after it.
    public static let adminTokenOperationSeconds: Double = 10
    /// Largest bearer token accepted before any parsing.
    public static let maxBearerBytes = 256
    /// Longest token principal, in UTF-8 bytes (it names the owner's directories).
    public static let maxPrincipalBytes = 64
    /// Longest persistent session name a client may send (`X-CC-Session`, `session_id`, the
    /// model's `:session=` suffix), in UTF-8 bytes.
    public static let maxSessionNameBytes = 128
    /// How long a turn waits for a persistent session another turn is using before it is
    /// refused with 409 `session_busy`.
    public static let sessionLeaseWaitSeconds: Double = 30
    /// Most turns waiting for one persistent session; more are refused with 409 at once.
    public static let maxSessionWaiters = 4
    /// Most sessions `ccproxyctl sessions list` shows (the most recently used), so that the
    /// reply fits an admin frame.
    public static let maxSessionsListed = 2000
    /// Most idle sessions evicted per sweep (the rest go in the next one).
    public static let sessionEvictionBatch = 64
    /// Default of `captures_max_bytes`: what the debug captures directory may hold.
    public static let defaultCapturesMaxBytes = 256 * 1024 * 1024
    /// Most tokens one turn may report (any one count and any sum of them): claude's JSON is
    /// not trusted to be small, so usage arithmetic saturates here instead of trapping, in
    /// the worker and in the supervisor alike.
    public static let maxTurnTokens = 1_000_000_000_000
    /// Ceiling of a token's daily usage counter (the database adds saturating at it).
    public static let maxDailyUsageTokens = 1_000_000_000_000_000
    /// Worker requests waiting for the supervisor's authority thread (argon2, SQLite); past
    /// it a request is answered 503 retryable at once, so a flood cannot grow memory.
    public static let authorityQueueCapacity = 256
    /// How long one SQLite call of the supervisor waits for a lock another process holds,
    /// in milliseconds: short, because bookkeeping writes are retried from a queue and an
    /// authorization is better answered 503 than late.
    public static let supervisorBusyTimeoutMilliseconds: Int32 = 250
    /// Usage records kept for a retry while the database is locked; past it the oldest are
    /// dropped (and logged).
    public static let usageRetryQueueCapacity = 4096
    /// Pause between retries of queued usage records, in seconds.
    public static let usageRetryIntervalSeconds: Double = 0.5
    /// How long shutdown waits for the authority thread to write what it holds, in seconds.
    public static let authorityStopSeconds: Double = 3
    /// `Retry-After` of a 503 for a busy or failing token database, in seconds.
    public static let storeRetryAfterSeconds = 1
    /// `Retry-After` of a 429 for a token at its concurrent-turn cap, in seconds.
    public static let concurrencyRetryAfterSeconds = 1
    /// Window of the wrong-secret limits, in seconds.
    public static let failedSecretWindowSeconds: Double = 60
    /// Wrong secrets for one token prefix per window; past it unverified secrets for that
    /// prefix are refused 429 without running argon2 (a verified secret still passes).
    public static let maxFailedSecretsPerPrefix = 10
    /// Wrong secrets from one client address per window, likewise.
    public static let maxFailedSecretsPerSource = 30
    /// How long a secret found wrong is answered 401 from memory without re-hashing, in seconds.
    public static let wrongSecretCacheSeconds: Double = 60
    /// Most wrong secrets remembered (the oldest are dropped first).
    public static let wrongSecretCacheCapacity = 4096
    /// Most prefixes and sources tracked by the wrong-secret limits.
    public static let failedSecretTrackedKeys = 4096
    /// Longest request id (`X-Request-Id`) echoed back; longer ones are replaced.
    public static let maxRequestIDBytes = 128
    /// Longest tool result body shown in `verbose` output, in UTF-8 bytes; the rest is replaced
    /// by a "… [truncated N bytes]" marker (a `cat` of a large file must not flood the chat).
    public static let verboseToolResultBytes = 8192
    /// Longest rendering of one tool input value in a `narrated` tool line, in UTF-8 bytes
    /// (then "…"): the line names what the tool does, not the whole file it writes.
    public static let narratedToolInputValueBytes = 60
    /// Longest argument list of a `narrated` tool line, in UTF-8 bytes (then "…"), so that a
    /// tool call stays one readable line.
    public static let narratedToolSummaryBytes = 160
    /// Longest `narrated` tool result line, in UTF-8 bytes (then "…").
    public static let narratedToolResultBytes = 200
    /// Characters of claude's stderr (the newest) quoted in the error of a turn that ended
    /// without a result: enough for the CLI's last message, not a dump of its log.
    public static let upstreamErrorStderrCharacters = 500
    /// Largest decoded image accepted in a request (5 MiB, the Anthropic API's limit per image).
    public static let maxImageBytes = 5 * 1024 * 1024
    /// Most images sent to claude for one request (the images of the latest user message).
    public static let maxImagesPerRequest = 20
    /// Time allowed to fetch one remote image when `remote_images` is on, in seconds.
    public static let remoteImageTimeoutSeconds: Double = 10
    /// Most names listed in `X-CC-Ignored-Params`.
    public static let maxIgnoredParameterNames = 32
    /// Longest `X-CC-Ignored-Params` value, in bytes.
    public static let maxIgnoredParametersHeaderBytes = 1024
    /// A response write that makes no progress for this long (the client stopped reading)
    /// closes the connection, in seconds.
    public static let writeProgressTimeoutSeconds: Double = 30
    /// After `request_timeout` stopped a turn, the response has this long to be finished
    /// before the connection is closed, in seconds: longer than stopping claude can take
    /// (SIGTERM, `claudeKillGraceSeconds`, SIGKILL, `claudePipeDrainSeconds`) with room to
    /// write the 504, so a client that still reads always gets it.
    public static let responseGraceSeconds: Double = claudeKillGraceSeconds + claudePipeDrainSeconds + 2
    /// Connections accepted per listener wake-up before the loop looks at other work.
    public static let acceptBatch = 64
    /// How long accepting pauses when accept(2) runs out of descriptors (EMFILE/ENFILE), in seconds.
    public static let acceptPauseSeconds: Double = 0.5
    /// `Retry-After` of the supervisor's own 503, in seconds.
    public static let refusalRetryAfterSeconds = 1
    /// Requests served on one kept-alive connection by one worker visit (pipelined) before
    /// it is closed after the response.
    public static let maxPipelinedRequests = 100
    /// After a final response with request bytes possibly unread, how long the client's
    /// further bytes are read and dropped before the close (so it reads the response
    /// instead of a reset), in seconds.
    public static let lingeringCloseSeconds: Double = 2
    /// The most of the operator's `~/.claude.json` read at start and reload, in bytes (it
    /// also holds claude's per-project history, so it can be large).
    public static let maxOperatorClaudeJSONBytes = 16 * 1024 * 1024
    /// The most the operator's MCP server definitions may take once extracted, in bytes
    /// (they travel in every worker's settings snapshot).
    public static let maxHostMCPConfigBytes = 256 * 1024

    // MARK: The bridge (laptop daemon ↔ server websocket)

    /// Largest websocket message on the bridge, either way, checked before it is decoded
    /// (a full `read` or `write` chunk in base64 plus the envelope fits with room).
    public static let maxBridgeFrameBytes = 4 * 1024 * 1024
    /// Most bytes one `read` returns and one `write` carries (larger reads are shortened,
    /// larger writes refused `too_large`).
    public static let maxBridgeChunkBytes = 1024 * 1024
    /// Largest file a `read` of the whole file at once is allowed for (`too_large` above).
    public static let maxBridgeWholeFileBytes = 32 * 1024 * 1024
    /// Entries one `readdir` answers with; a larger directory is refused `too_large`
    /// rather than answered with a frame past `maxBridgeFrameBytes`.
    public static let maxBridgeDirectoryEntries = 20_000
    /// Longest path a bridge request may name, in UTF-8 bytes (PATH_MAX).
    public static let maxBridgePathBytes = 4096
    /// Symbolic links followed while resolving one bridge path (the kernel's MAXSYMLINKS).
    public static let maxBridgeSymlinkHops = 40
    /// Longest daemon version or root a bridge's `hello` may state (they are shown by
    /// `ccproxyctl bridges`, never used): longer ones are cut to this many UTF-8 bytes.
    public static let maxBridgeDescriptionBytes = 512
    /// How long the server waits for the daemon's answer to its `hello`, in seconds (the
    /// reference's 3 s).
    public static let bridgeHelloTimeoutSeconds: Double = 3
    /// How many bridges may be connected at once, over all principals.
    public static let maxBridges = 256
    /// How long a turn waits for a just-connected bridge's mount to appear before it runs
    /// without it.
    public static let bridgeMountWaitSeconds: Double = 3
    /// Bridge requests a bridge worker times at once (for the metrics).
    public static let maxBridgePendingCalls = 1024
    /// Bytes a bridge worker queues towards the daemon or the FUSE helper before it stops
    /// reading the websocket (NIO's write-buffer high-water mark; twice a frame).
    public static let bridgeRelayHighWaterBytes = 2 * maxBridgeFrameBytes
    /// Longest command the exec tool sends to the laptop.
    public static let maxBridgeExecCommandBytes = 64 * 1024
    /// `exec` requests one bridge runs at once (more are refused).
    public static let maxBridgeConcurrentExecs = 4
    /// How often a turn on a bridge checks that the bridge's mount is still there.
    public static let bridgeWatchIntervalSeconds: Double = 0.5
    /// How long the FUSE manager waits for its mounts to unmount when it stops.
    public static let fuseManagerStopGraceSeconds: Double = 5
    /// Fragments one bridge message may arrive in (the daemon sends whole frames).
    public static let maxBridgeFrameFragments = 64
    /// How long an `exec` on the laptop may run before its process group is killed, in seconds.
    public static let bridgeExecTimeoutSeconds: Double = 120
    /// Bytes of stdout and of stderr an `exec` answers with, each (the rest is dropped).
    public static let maxBridgeExecOutputBytes = 256 * 1024
    /// Reconnect backoff of the daemon: first delay, and the cap it grows to, in seconds.
    public static let bridgeBackoffInitialSeconds: Double = 0.5
    public static let bridgeBackoffCapSeconds: Double = 10
    /// Interval of the daemon's websocket pings; two unanswered ones drop the connection.
    public static let bridgePingIntervalSeconds: Double = 20
    /// How long the daemon waits for the TCP/TLS connection and the upgrade, in seconds.
    public static let bridgeConnectTimeoutSeconds: Double = 10
    /// Most functions in one request's `tools` (OpenAI's own ceiling).
    public static let maxTools = 128
    /// Largest JSON Schema of one function's `parameters` (or of a `response_format`
    /// json_schema), rendered compactly, in bytes: it travels to claude in a file and to the
    /// model in every request of the turn.
    public static let maxToolSchemaBytes = 64 * 1024
    /// Largest `function.arguments` of one tool call, in UTF-8 bytes (in a request's history,
    /// and in a call claude makes).
    public static let maxToolArgumentsBytes = 1024 * 1024
    /// Longest JSON-RPC line the function server (`ccproxy-worker mcp-functions`) reads from
    /// claude: a tool call's arguments and some framing.
    public static let maxFunctionServerLineBytes = maxToolArgumentsBytes + 64 * 1024
    /// Longest call id a waiting turn is found by (claude's tool_use ids are ~30 bytes).
    public static let maxToolCallIDBytes = 256
    /// Default of `tool_result_timeout`: how long a turn whose claude called the client's
    /// functions waits for the follow-up with their results, in seconds.
    public static let defaultToolResultTimeoutSeconds: Double = 300
    /// How long a waiting turn found for a follow-up stays reserved for it while the worker
    /// that read the follow-up passes its connection over, in seconds.
    public static let waitingTurnReservationSeconds: Double = 10
    /// claude's own wait for an MCP tool's answer (`MCP_TOOL_TIMEOUT`) beyond
    /// `tool_result_timeout`, in seconds: the server ends a waiting turn first, never claude.
    public static let toolWaitMarginSeconds: Double = 120
    /// Largest answer of one client function that the function server hands to claude (a
    /// follow-up's results all fit one worker frame anyway).
    public static let maxFunctionResultFrameBytes = 128 * 1024

    // MARK: The FUSE helper (ccproxy-fuse ↔ bridge worker)

    /// How long one FUSE operation waits for the bridge worker's answer, in seconds; past
    /// it the operation fails with EIO (a dead or silent laptop never hangs claude).
    public static let bridgeOperationTimeoutSeconds: Double = 10
    /// How long the kernel may cache attributes and names the helper answered, in seconds
    /// (short, because the laptop side changes the tree behind the server's back).
    public static let bridgeAttributeCacheSeconds: Double = 1
}
