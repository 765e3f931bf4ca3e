extension ConfigurationLoader {
    /// The configuration file to use, as an absolute path. First match wins:
    ///
    /// 1. `explicitPath` (`--config`), which must exist;
    /// 2. `$CCPROXY_CONFIG`, which must exist too — it names the file explicitly, so a typo
    ///    there is an error rather than a silent fall-through to another file;
    /// 3. `$CCPROXY_STATE/config.yaml` (`CCPROXY_STATE` defaults to `/var/lib/ccproxy`);
    /// 4. `<currentDirectory>/ccproxy.yaml`.
    ///
    /// Relative paths are resolved against `currentDirectory`; an empty `explicitPath` or an
    /// empty variable counts as unset.
    ///
    /// - Throws: `.notFound` (one problem) naming what was looked at, or `.unreadable` when an
    ///   explicit path is a directory.
    public static func locate(
        explicitPath: String?, environment: [String: String], currentDirectory: String
    ) throws(ConfigurationError) -> String {
        if let explicitPath, !explicitPath.isEmpty {
            return try requireFile(explicitPath, source: "--config", currentDirectory: currentDirectory)
        }
        if let fromEnvironment = EnvironmentOverrides.value(configVariable, in: environment) {
            return try requireFile(fromEnvironment, source: "$\(configVariable)", currentDirectory: currentDirectory)
        }
        let stateDirectory = EnvironmentOverrides.value(EnvironmentOverrides.stateVariable, in: environment)
            ?? Configuration.defaultStateDirectory
        let candidates = [
            PathResolution.absolute(stateDirectory + "/config.yaml", relativeTo: currentDirectory),
            PathResolution.absolute("ccproxy.yaml", relativeTo: currentDirectory),
        ]
        if let found = candidates.first(where: { ConfigurationFile.status(of: $0) == .file }) {
            return found
        }
        let lookedAt = (["$\(configVariable) (unset)"] + candidates).joined(separator: ", ")
        throw ConfigurationError(
            kind: .notFound,
            problems: [
                "no config file found (looked at \(lookedAt)). Pass --config <path> or create one — see deploy/config.yaml.example"
            ])
    }

    /// The environment variable naming the configuration file.
    static let configVariable = "CCPROXY_CONFIG"

    private static func requireFile(
        _ path: String, source: String, currentDirectory: String
    ) throws(ConfigurationError) -> String {
        let absolutePath = PathResolution.absolute(path, relativeTo: currentDirectory)
        switch ConfigurationFile.status(of: absolutePath) {
        case .file:
            return absolutePath
        case .missing:
            throw ConfigurationError(kind: .notFound, problems: ["\(source) \(path): no such file"])
        case .directory:
            throw ConfigurationError(kind: .unreadable, problems: ["\(source) \(path): is a directory"])
        }
    }
}
