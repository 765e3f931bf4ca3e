// Runs in: a worker (`ccproxy-worker`).

import CCProxyCore
import Foundation

/// The directories of one turn: `<state>/turns/<id>/` holds private files (the system
/// prompt, the operator's MCP servers) and claude's `TMPDIR` (`tmp/`, so sockets and scratch files claude leaves behind go
/// with the turn), and `<state>/turns/<id>/workspace/` is claude's working directory unless
/// the request targets a configured workspace. Everything is removed when the turn ends.
struct TurnWorkspace {
    let root: String
    let workingDirectory: String
    let systemPromptFile: String?
    /// The operator's MCP servers as a `--mcp-config` file, if there are any.
    let hostMCPFile: String?
    /// The client's functions for the function server, and the `--mcp-config` file that
    /// starts it, when the turn offers functions.
    var functionsFile: String? = nil
    var clientMCPFile: String? = nil
    /// The bridge mount the turn runs in (`workingDirectory`), when it runs on a bridge.
    var bridgeMount: String? = nil
    /// On a bridge that allows exec: the bridge worker's exec socket (bound into the
    /// sandbox), and the `--mcp-config` file that gives claude the exec tool.
    var bridgeExecSocket: String? = nil
    var bridgeMCPFile: String? = nil
    /// The worker's function-call socket, when the turn may wait for the client's results
    /// (bound into the sandbox with the private files).
    var functionCallSocket: String? = nil

    /// The private files claude reads (bound read-only into its sandbox).
    var privateFiles: [String] {
        [systemPromptFile, hostMCPFile, functionsFile, clientMCPFile, bridgeMCPFile, bridgeExecSocket, functionCallSocket]
            .compactMap { $0 }
    }

    /// The function server answers calls through `socket` (the turn may wait for results).
    mutating func offerFunctionCallSocket(_ socket: String) throws {
        guard let functions = functionsFile, let config = clientMCPFile else { return }
        try Self.writePrivate(
            try ClientMCPConfig(executable: ClientMCPConfig.executable, functionsFile: functions, socket: socket).encoded(),
            to: config)
        functionCallSocket = socket
    }

    /// Offers the exec tool of the bridge the turn runs on.
    mutating func offerBridgeExec(socket: String) throws {
        let config = root + "/bridge-mcp.json"
        try Self.writePrivate(try ClientMCPConfig(executable: ClientMCPConfig.executable, bridgeExecSocket: socket).encoded(), to: config)
        bridgeExecSocket = socket
        bridgeMCPFile = config
    }

    /// Creates the directories (0700) and writes the system prompt, MCP server and function
    /// files (0600) if there are any.
    static func create(
        stateDirectory: String, configuredPath: String?, systemPrompt: String?, hostMCPServers: String? = nil,
        clientFunctions: [FunctionTool] = []
    ) throws -> TurnWorkspace {
        let root = stateDirectory + "/turns/" + RandomID.uuid()
        let manager = FileManager.default
        try manager.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try manager.createDirectory(atPath: root + "/tmp", withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let working = configuredPath ?? root + "/workspace"
        if configuredPath == nil {
            try manager.createDirectory(atPath: working, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }
        let promptFile = try writePrivate(systemPrompt, to: root + "/system-prompt.md")
        let mcpFile = try writePrivate(hostMCPServers, to: root + "/host-mcp.json")
        var workspace = TurnWorkspace(root: root, workingDirectory: working, systemPromptFile: promptFile, hostMCPFile: mcpFile)
        if !clientFunctions.isEmpty {
            let functions = root + "/client-functions.json"
            try writePrivate(try FunctionsFile(functions: clientFunctions).encoded(), to: functions)
            let config = root + "/client-mcp.json"
            try writePrivate(
                try ClientMCPConfig(executable: ClientMCPConfig.executable, functionsFile: functions).encoded(), to: config)
            workspace.functionsFile = functions
            workspace.clientMCPFile = config
        }
        return workspace
    }

    /// Writes `text` to `path` (0600) unless it is nil or empty; returns the path written.
    private static func writePrivate(_ text: String?, to path: String) throws -> String? {
        guard let text, !text.isEmpty else { return nil }
        try writePrivate(Data(text.utf8), to: path)
        return path
    }

    static func writePrivate(_ data: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown)
        }
    }

    /// A persistent session's own working directory, `<state>/sessions/<id>/workspace`
    /// (0700), created if missing. It outlives the turn; the supervisor removes it with the
    /// session. The id is the server's own UUID, never client input.
    static func sessionDirectory(stateDirectory: String, claudeSessionID: String) throws -> String {
        let path = stateDirectory + "/sessions/" + claudeSessionID + "/workspace"
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return path
    }

    /// claude's `TMPDIR` outside a sandbox, and what becomes `/tmp` inside one.
    var temporaryDirectory: String { root + "/tmp" }

    /// Removes the turn's directories (never a configured workspace).
    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
