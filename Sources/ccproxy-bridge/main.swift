// Runs in: ccproxy-bridge, the laptop-side daemon of the bridge (one process, no children
// but the commands `exec` runs).
import ArgumentParser
import CCProxyBridgeDaemon
import CCProxyPosix
import Dispatch
import Foundation
import Logging

@main
struct BridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccproxy-bridge",
        abstract: "Serve a directory of this machine to a ccproxy server, over one outbound websocket.",
        discussion: """
            The daemon dials the server's /bridge route with the bridge token (a token with the \
            bridge:connect scope and a principal) and answers its file requests inside --root, \
            so that chat requests from the same principal run Claude Code in this directory. \
            Nothing listens on this machine.

            Safety: every path is resolved inside --root one component at a time; a symbolic \
            link that leads out of the root is refused, wherever it is on the path. .ssh, .aws, \
            .gnupg, id_rsa*, id_ed25519*, id_ecdsa*, .env and .env.* anywhere in the tree, plus \
            the patterns in <root>/.ccproxyignore (and that file itself), are invisible to the \
            server: not listed, and absent for every operation.

            A lost connection, a refused upgrade or a server restart is retried forever with \
            exponential backoff (0.5 s doubling to 10 s, with jitter). SIGINT or SIGTERM end \
            the daemon cleanly.
            """)

    @Option(help: "The server's bridge URL: ws://host[:port]/bridge or wss://host[:port]/bridge.")
    var server: String

    @Option(help: "The directory to serve (must exist).")
    var root: String

    @Option(help: "Environment variable that holds the bridge token.")
    var tokenEnv = "CCPROXY_BRIDGE_TOKEN"

    @Option(help: "Allow the server to change files (write, create, mkdir, remove, rename, chmod, …).")
    var allowWrite = true

    @Flag(help: "Allow the server to run commands in the root with your shell (off by default).")
    var allowExec = false

    @Option(help: "Report changes under the root to the server (inotify), so it does not serve stale files.")
    var watch = true

    @Option(help: "Append one JSON line per request to this file (created 0600).")
    var audit: String?

    @Flag(help: "Ask on this terminal before each write, removal and command.")
    var confirm = false

    @Option(help: "PEM file of CA certificates to trust for wss:// instead of the system's.")
    var caFile: String?

    @Flag(name: .short, help: "Log every request.")
    var verbose = false

    func validate() throws {
        guard BridgeServerAddress(server) != nil else {
            throw ValidationError("--server must be a ws:// or wss:// URL with a host, e.g. wss://proxy.example.com/bridge")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--root \(root) is not an existing directory")
        }
        if caFile != nil && !server.lowercased().hasPrefix("wss:") {
            throw ValidationError("--ca-file is only used with a wss:// server")
        }
    }

    func run() async throws {
        let token = ProcessInfo.processInfo.environment[tokenEnv] ?? ""
        guard !token.isEmpty else {
            throw ValidationError("env \(tokenEnv) is empty (set the bridge token there, or pass --token-env to point elsewhere)")
        }
        let verbose = self.verbose
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .info
            return handler
        }
        let logger = Logger(label: "ccproxy-bridge")
        guard let address = BridgeServerAddress(server) else { throw ExitCode.validationFailure }
        let options = BridgeDaemonOptions(
            server: address, root: root, token: token, tokenEnvironmentName: tokenEnv, allowWrite: allowWrite,
            allowExec: allowExec, watch: watch, auditPath: audit, confirm: confirm, caFile: caFile, verbose: verbose)
        let client: BridgeClient
        do {
            client = try BridgeClient(options: options, logger: logger)
        } catch {
            logger.error("cannot start: \(error)")
            throw ExitCode.failure
        }
        TerminationSignals.ignoreDefaultAction()
        let runner = Task { await client.run() }
        var sources: [any DispatchSourceSignal] = []
        for signal in TerminationSignals.all {
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler {
                Task {
                    await client.stop(reason: "daemon stopping (\(TerminationSignals.name(signal)))")
                    runner.cancel()
                }
            }
            source.resume()
            sources.append(source)
        }
        await runner.value
        sources.forEach { $0.cancel() }
        logger.info("stopped")
    }
}
