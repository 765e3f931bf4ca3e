// ccproxyctl: inspect a running ccproxy supervisor through its admin socket.

import ArgumentParser
import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Foundation

@main
struct CCProxyCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccproxyctl",
        abstract: "Inspect a running ccproxy server.",
        discussion: """
            Talks to the supervisor over its admin socket, a Unix socket (mode 0600) at \
            <state_dir>/ccproxy.sock; only the user running the server (or root) may connect.

            Exit status: 0 on success; 1 when the server cannot be reached or answers with \
            an error; 64 on a command-line error. Shell completions: \
            `ccproxyctl --generate-completion-script bash|zsh|fish`.
            """,
        subcommands: [Status.self, Reload.self, Sessions.self])
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
        abstract: "Show the worker pool: each worker's slot, pid, state and connections served.")

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
            print(json ? StatusFormatter.json(report) : StatusFormatter.table(report))
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

/// One request, one reply, over the admin socket.
enum AdminClient {
    static func request(_ request: AdminRequest, socketPath: String) throws -> AdminReply {
        let fd = try UnixStreamSocket.connect(path: socketPath)
        defer { closeDescriptor(fd) }
        try writeAll(fd, request.encode())
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let prefix = try readExactly(fd, 4)
        let total = try Frame.announcedLength(prefix: prefix, maxBytes: Limits.maxAdminFrameBytes)
        let frame = prefix + (try readExactly(fd, total - 4))
        return try AdminReply.decode(frame, maxBytes: Limits.maxAdminFrameBytes)
    }
}

/// Renders a status report.
enum StatusFormatter {
    static func json(_ report: StatusReport) -> String {
        let workers = report.workers.map {
            #"{"slot":\#($0.slot),"pid":\#($0.pid),"state":\#(JSONString.quote($0.state)),"served":\#($0.served),"generation":\#($0.generation)}"#
        }
        let idle = report.workers.filter { $0.state == "idle" }.count
        let busy = report.workers.filter { $0.state == "busy" }.count
        return #"{"supervisor_pid":\#(report.supervisorPID),"listening":\#(JSONString.quote(report.listening)),"draining":\#(report.draining),"queued":\#(report.queued),"idle":\#(idle),"busy":\#(busy),"keepalive_idle":\#(report.keepAliveIdle),"generation":\#(report.generation),"refused":\#(report.refused),"respawn_halted":\#(report.respawnHalted.map(JSONString.quote) ?? "null"),"workers":[\#(workers.joined(separator: ","))]}"#
    }

    static func table(_ report: StatusReport) -> String {
        let idle = report.workers.filter { $0.state == "idle" }.count
        let busy = report.workers.filter { $0.state == "busy" }.count
        var lines = [
            "supervisor pid \(report.supervisorPID), listening on \(report.listening)\(report.draining ? ", draining" : "")",
            "workers: \(report.workers.count) (\(idle) idle, \(busy) busy), queued connections: \(report.queued), idle keep-alive connections: \(report.keepAliveIdle)",
            "configuration generation \(report.generation), refused (503) since start: \(report.refused)"
                + (report.respawnHalted.map { ", RESPAWNING HALTED: \($0)" } ?? ""),
            "",
            "SLOT  PID       STATE     SERVED",
        ]
        for worker in report.workers {
            lines.append(
                String(worker.slot).padding(toLength: 6, withPad: " ", startingAt: 0)
                    + String(worker.pid).padding(toLength: 10, withPad: " ", startingAt: 0)
                    + worker.state.padding(toLength: 10, withPad: " ", startingAt: 0) + String(worker.served))
        }
        return lines.joined(separator: "\n")
    }
}
