// Runs in: a worker (`ccproxy-worker`).

public import CCProxyCore
public import Logging
public import NIOCore

/// What every request handler of a worker may use.
public struct WorkerContext: Sendable {
    /// The settings snapshot the supervisor gave this worker.
    public var settings: ProxySettings
    /// The channel to the supervisor (authorization, usage).
    public var supervisor: SupervisorClient
    public var logger: Logger
    public var eventLoopGroup: any EventLoopGroup
    /// The worker's own environment, from which `ClaudeEnvironment` picks what claude may see.
    public var claudeEnvironment: [String]

    public init(
        settings: ProxySettings, supervisor: SupervisorClient, logger: Logger, eventLoopGroup: any EventLoopGroup,
        claudeEnvironment: [String]
    ) {
        self.settings = settings
        self.supervisor = supervisor
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        self.claudeEnvironment = claudeEnvironment
    }
}
