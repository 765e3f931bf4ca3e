// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore
import CCProxyPosix
import Foundation

/// Turns a planned claude command into what the worker spawns: with `isolation: namespaces`
/// claude inside its turn's sandbox (`TurnSandbox`), with `none` claude itself; in both cases
/// with the allow-listed environment (`ClaudeEnvironment`) and the owner's own claude home.
struct ClaudeLaunchBuilder {
    let settings: ProxySettings
    /// The worker's environment (the server's), which claude never gets whole.
    let serverEnvironment: [String]

    /// `<state>/homes`: one claude home per owner (`TokenGrant.ownerDirectoryName`).
    static func homesDirectory(stateDirectory: String) -> String { stateDirectory + "/homes" }

    /// The launch for `arguments` in `workspace`, on behalf of the owner `ownerDirectoryName`.
    /// Creates the owner's claude home (0700) if it is missing.
    /// - Throws: `WorkspaceAccessError` when the server's user cannot read, write and enter
    ///   the working directory; `ClaudeStartError` when claude is not found or not
    ///   executable; a file error when the claude home cannot be created.
    func launch(
        arguments: [String], workspace: TurnWorkspace, ownerDirectoryName: String, grantedWorkspacePath: String?
    ) throws -> ClaudeProcess.Launch {
        // A configured workspace the service user cannot enter would otherwise fail as
        // "spawn bwrap: Permission denied"; say which directory and why instead.
        do {
            try FileAccess.check(workspace.workingDirectory, FileAccess.readWriteSearch, what: "access")
        } catch {
            throw WorkspaceAccessError(path: workspace.workingDirectory, cause: error)
        }
        let home = try Self.ensureHome(stateDirectory: settings.stateDirectory, owner: ownerDirectoryName)
        let operatorDirectory = settings.operatorHome.map { $0 + "/.claude" }
        let sandboxed = settings.isolation == .namespaces
        let temporary = sandboxed ? TurnSandbox.temporaryPath : workspace.temporaryDirectory
        var turnVariables: [(name: String, value: String)] = [("HOME", home), ("CLAUDE_CONFIG_DIR", home), ("TMPDIR", temporary)]
        if workspace.functionCallSocket != nil {
            // claude's own wait for a tool's answer outlasts the server's wait for the client:
            // the server ends a waiting turn, never claude's timeout.
            let milliseconds = Int((settings.toolResultTimeoutSeconds + Limits.toolWaitMarginSeconds) * 1000)
            turnVariables.append(("MCP_TOOL_TIMEOUT", String(milliseconds)))
        }
        let environment = ClaudeEnvironment(passed: settings.claudeEnvironment).filter(serverEnvironment, turn: turnVariables)
        guard sandboxed else {
            if let operatorDirectory { Self.linkOperatorConfiguration(from: operatorDirectory, into: home) }
            return ClaudeProcess.Launch(
                executable: settings.claudeBinary, arguments: arguments, environment: environment,
                workingDirectory: workspace.workingDirectory)
        }
        // Inside the sandbox a failed exec is only bwrap's exit status; check here, so that
        // a missing or unusable claude is reported as such (502), as without a sandbox.
        let claude: String
        do {
            claude = try ProcessSpawner.resolve(settings.claudeBinary, environment: environment)
        } catch {
            throw ClaudeStartError(reason: "\(error)")
        }
        do {
            try FileAccess.check(claude, FileAccess.execute, what: "spawn \(claude)")
        } catch {
            throw ClaudeStartError(reason: "\(error)")
        }
        let hidden = settings.workspaces.values.map(\.path).filter { $0 != grantedWorkspacePath }.sorted()
        var sandbox = TurnSandbox(
            stateDirectory: settings.stateDirectory, workingDirectory: workspace.workingDirectory,
            temporaryDirectory: workspace.temporaryDirectory, claudeHome: home,
            readOnly: operatorDirectory.map { TurnSandbox.operatorEntries(configurationDirectory: $0) } ?? [],
            hidden: hidden, files: workspace.privateFiles)
        // claude starts the worker's own executable as the server of the client functions.
        if workspace.clientMCPFile != nil || workspace.bridgeMCPFile != nil {
            sandbox.helperExecutables = [ClientMCPConfig.executable]
        }
        let argv = sandbox.commandLine(executable: claude, arguments: arguments)
        return ClaudeProcess.Launch(
            executable: argv[0], arguments: Array(argv.dropFirst()), environment: environment,
            workingDirectory: workspace.workingDirectory)
    }

    /// `<state>/homes/<owner>/`, created 0700 (as is `homes/`) when missing.
    static func ensureHome(stateDirectory: String, owner: String) throws -> String {
        let homes = homesDirectory(stateDirectory: stateDirectory)
        let home = homes + "/" + owner
        // Two turns of one owner may start at once in two workers: "create unless it exists"
        // must be one step (mkdir -p semantics), never a check followed by a create.
        try FileManager.default.createDirectory(
            atPath: homes, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.createDirectory(
            atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return home
    }

    /// Without a sandbox nothing can be bound read-only, so the operator's configuration is
    /// offered as symbolic links in the owner's home (an entry the home already has wins).
    static func linkOperatorConfiguration(from directory: String, into home: String) {
        let manager = FileManager.default
        for name in TurnSandbox.operatorConfigurationNames {
            let source = directory + "/" + name
            let target = home + "/" + name
            guard manager.fileExists(atPath: source),
                (try? manager.destinationOfSymbolicLink(atPath: target)) == nil, !manager.fileExists(atPath: target)
            else { continue }
            try? manager.createSymbolicLink(atPath: target, withDestinationPath: source)
        }
    }
}

/// The server's user may not read, write or enter a turn's working directory (a configured
/// workspace owned by someone else). The client is told only that the workspace is not
/// usable; the path is for the log (clients name workspaces, never paths).
struct WorkspaceAccessError: Error, CustomStringConvertible {
    var path: String
    var cause: PosixError

    var description: String { "the server's user cannot use \(path): \(cause)" }
}
