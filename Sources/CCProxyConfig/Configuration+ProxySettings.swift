import CCProxyCore

extension Configuration {
    /// The part of the configuration workers need, as the value the supervisor hands them.
    ///
    /// Listener addresses, the worker pool and the source path stay with the supervisor.
    public func proxySettings() -> ProxySettings {
        var settings = ProxySettings(
            claudeBinary: claudeBinary,
            stateDirectory: stateDirectory,
            defaultVerbosity: defaultVerbosity,
            defaultEffort: defaultEffort,
            defaultClaudeModel: defaultClaudeModel,
            defaultPermissionMode: defaultPermissionMode,
            allowPassthroughModels: allowPassthroughModels,
            modelVersions: modelVersions,
            requestTimeoutSeconds: requestTimeoutSeconds,
            sessionTTLSeconds: sessionTTLSeconds,
            workspaces: workspaces,
            models: models,
            corsOrigins: corsOrigins,
            streamKeepaliveSeconds: streamKeepaliveSeconds,
            remoteImages: remoteImages,
            capturesMaxBytes: capturesMaxBytes,
            isolation: isolation,
            claudeEnvironment: claudeEnvironment
        )
        settings.remoteImagesAllowPrivate = remoteImagesAllowPrivate
        settings.toolResultTimeoutSeconds = toolResultTimeoutSeconds
        return settings
    }
}
