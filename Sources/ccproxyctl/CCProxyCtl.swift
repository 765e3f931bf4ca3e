// ccproxyctl: inspect a running ccproxy supervisor through its admin socket.

import ArgumentParser
import CCProxyAdminClient
import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Foundation

@main
struct CCProxyCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccproxyctl",
        abstract: "Inspect a running ccproxy server and manage its tokens.",
        discussion: """
            Manages tokens and inspects the server. Talks to the supervisor over its admin socket, a Unix socket (mode 0600) at \
            <state_dir>/ccproxy.sock; only the user running the server (or root) may connect.

            Exit status: 0 on success; 1 when the server cannot be reached or answers with \
            an error; 64 on a command-line error. Shell completions: \
            `ccproxyctl --generate-completion-script bash|zsh|fish`.
            """,
        subcommands: [Status.self, Reload.self, Token.self, Sessions.self, Bridges.self])
}

/// Where to find the admin socket.
struct SocketOptions: ParsableArguments {
    @Option(name: .long, help: "Admin socket path (default: $CCPROXY_STATE/ccproxy.sock, else /var/lib/ccproxy/ccproxy.sock).")
    var socket: String?

    var path: String {
        if let socket { return socket }
        let state = ProcessInfo.processInfo.environment["CCPROXY_STATE"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/lib/ccproxy"
        return AdminSocket.path(stateDirectory: state)
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the worker pool: each worker's state, and the request and token a busy one serves.",
        discussion: """
            Also the supervisor's uptime and counts since start: connections handed to \
            workers (served), answered 503 by the supervisor (refused), waiting for a worker \
            (queued) and idle keep-alive connections held. A busy worker's REQUEST is the \
            request id (X-Request-Id) and TOKEN the token name of the request it serves.
            """)

    @OptionGroup var options: SocketOptions

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let reply: AdminReply
        do {
            reply = try AdminClient.request(.status, socketPath: options.path)
        } catch {
            FileHandle.standardError.write(Data("ccproxyctl: cannot reach the server at \(options.path): \(error)\n".utf8))
            throw ExitCode(1)
        }
        switch reply {
        case .error(let message):
            FileHandle.standardError.write(Data("ccproxyctl: \(message)\n".utf8))
            throw ExitCode(1)
        case .status(let report):
            print(json ? try StatusFormatter.json(report) : StatusFormatter.table(report))
        default:
            FileHandle.standardError.write(Data("ccproxyctl: unexpected reply to status\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Reload config.yaml, as SIGHUP does.",
        discussion: """
            The server reads and validates its configuration file again. If it is valid, new \
            workers get it, idle workers are replaced and busy ones finish their turn first. \
            If not, the running configuration is kept and every problem is printed. Exit \
            status: 0 reloaded, 1 the server could not be reached, 2 the file was refused.
            """)

    @OptionGroup var options: SocketOptions

    func run() throws {
        let reply: AdminReply
        do {
            reply = try AdminClient.request(.reload, socketPath: options.path)
        } catch {
            FileHandle.standardError.write(Data("ccproxyctl: cannot reach the server at \(options.path): \(error)\n".utf8))
            throw ExitCode(1)
        }
        switch reply {
        case .reloaded(let report) where report.accepted:
            print("reloaded: configuration generation \(report.generation)")
            for note in report.problems { print("note: needs a restart to take effect: \(note)") }
        case .reloaded(let report):
            let lines = ["ccproxyctl: reload refused, the server keeps its running configuration:"]
                + report.problems.map { "  - \($0)" }
            FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(2)
        case .error(let message):
            FileHandle.standardError.write(Data("ccproxyctl: \(message)\n".utf8))
            throw ExitCode(1)
        default:
            FileHandle.standardError.write(Data("ccproxyctl: unexpected reply to reload\n".utf8))
            throw ExitCode(1)
        }
    }
}
