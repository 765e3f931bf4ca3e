import CCProxyConfig
import Foundation

/// Finds the state directory for commands that need it (`ccproxy token …`): from the
/// configuration file when one is found (same resolution order as `serve`), else from
/// `$CCPROXY_STATE`, else `/var/lib/ccproxy`.
func resolveStateDirectory(configPath: String?) throws -> String {
    let environment = ProcessInfo.processInfo.environment
    let cwd = FileManager.default.currentDirectoryPath
    if let path = try? ConfigurationLoader.locate(explicitPath: configPath, environment: environment, currentDirectory: cwd) {
        return try ConfigurationLoader.load(path: path, environment: environment, currentDirectory: cwd).stateDirectory
    }
    if configPath != nil {
        // Report why the explicit file is unusable.
        _ = try ConfigurationLoader.locate(explicitPath: configPath, environment: environment, currentDirectory: cwd)
    }
    do {
        let state = environment["CCPROXY_STATE"].flatMap { $0.isEmpty ? nil : $0 } ?? Configuration.defaultStateDirectory
        return state.hasPrefix("/") ? state : cwd + "/" + state
    }
}

/// Creates the state directory (0700) if it does not exist.
func ensureStateDirectory(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
}

/// Removes what a crash may have left of earlier turns: `<state>/turns/` holds only the
/// private directories of turns in progress (system prompt files, claude's TMPDIR, ephemeral
/// workspaces), and no turn is in progress before the server starts. Persistent sessions'
/// directories (`<state>/sessions/`) are kept.
func removeTurnLeftovers(stateDirectory: String) -> Int {
    let turns = stateDirectory + "/turns"
    let manager = FileManager.default
    guard let entries = try? manager.contentsOfDirectory(atPath: turns) else { return 0 }
    var removed = 0
    for entry in entries where (try? manager.removeItem(atPath: turns + "/" + entry)) != nil { removed += 1 }
    return removed
}
