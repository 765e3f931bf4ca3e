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
    /// Largest frame on a worker ↔ supervisor channel (SOCK_SEQPACKET datagrams).
    public static let maxWorkerFrameBytes = 64 * 1024
    /// Largest frame on the admin socket.
    public static let maxAdminFrameBytes = 1024 * 1024
    /// Largest bearer token accepted before any parsing.
    public static let maxBearerBytes = 256
    /// Longest request id (`X-Request-Id`) echoed back; longer ones are replaced.
    public static let maxRequestIDBytes = 128
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
}
