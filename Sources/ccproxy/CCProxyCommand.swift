import ArgumentParser
import CCProxyCore
import CCProxySystemd

/// The `ccproxy` command line.
struct CCProxyCommand: ParsableCommand {
    /// Sockets inherited from systemd, taken first thing in `main`.
    nonisolated(unsafe) static var listenedSockets = ListenedSockets(sockets: [])

    static let configuration = CommandConfiguration(
        commandName: "ccproxy",
        abstract: "The Claude Code CLI behind an OpenAI-compatible HTTP API.",
        discussion: """
            `ccproxy serve` runs the server: a supervisor that owns the listening socket and the \
            token database, and a pool of worker processes that each serve one request at a time \
            by running one `claude` turn. `ccproxy token` manages bearer tokens (it works whether \
            or not the server runs). `ccproxyctl` inspects a running server.

            Exit status: 0 on success, 1 on a failure, 2 on a configuration error, 64 on a \
            command-line error (each subcommand's help says more). Shell completions: \
            `ccproxy --generate-completion-script bash|zsh|fish`.
            """,
        version: CCProxyVersion.string,
        subcommands: [ServeCommand.self, TokenCommand.self, ConfigCommand.self, VersionCommand.self])
}

/// `ccproxy version`.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    func run() {
        print("ccproxy \(CCProxyVersion.string)")
    }
}
