// Runs in: ccproxy-bridge (the laptop-side daemon).
import CCProxyBridgeProtocol
import CCProxyCore
import CCProxyPosix
import Foundation
import Logging

/// Answers the server's requests: decodes each `req` by method, applies the daemon's
/// switches (`--allow-write`, `--allow-exec`, `--confirm`), runs it, and hands back the
/// `resp` frame; every request is then written to the audit log.
///
/// Filesystem methods run one at a time on a serial queue (the walk holds descriptors and
/// the policy cache; FUSE on the server side serialises little, so order is what the
/// server sent). `exec` runs on its own queue, so a long command does not stall the
/// filesystem under claude.
public final class BridgeDispatcher: @unchecked Sendable {
    public static let daemonVersion = "ccproxy-bridge/0.1.0"

    private let fs: RootedFileSystem
    private let options: BridgeDaemonOptions
    private let confirmer: TerminalConfirmer?
    private let audit: AuditLog?
    private let logger: Logger
    private let fsQueue = DispatchQueue(label: "bridge.fs")
    private let execQueue = DispatchQueue(label: "bridge.exec", attributes: .concurrent)

    public init(fs: RootedFileSystem, options: BridgeDaemonOptions, confirmer: TerminalConfirmer?, audit: AuditLog?, logger: Logger) {
        self.fs = fs
        self.options = options
        self.confirmer = confirmer
        self.audit = audit
        self.logger = logger
    }

    /// The path policy in force (for the watcher, which must hide what requests hide).
    public func policy() -> BridgePathPolicy {
        fsQueue.sync { fs.currentPolicy() }
    }

    /// Handles one request frame; `reply` gets the response frame (on some queue).
    public func handle(id: UInt64, method: String, frame: Data, reply: @escaping @Sendable (Data) -> Void) {
        let request: BridgeRequest
        do {
            request = try BridgeRequest.decode(method: method, frame: frame)
        } catch {
            finish(id: id, method: method, subject: "", outcome: .failure(error), reply: reply)
            return
        }
        let queue = request.method == .exec ? execQueue : fsQueue
        queue.async {
            let outcome = self.perform(request)
            self.finish(id: id, method: method, subject: request.subject, outcome: outcome, reply: reply)
        }
    }

    private func finish(id: UInt64, method: String, subject: String, outcome: Result<any Encodable, BridgeError>, reply: @Sendable (Data) -> Void) {
        let result: String
        switch outcome {
        case .success(let value):
            reply(BridgeCodec.response(id: id, result: value))
            result = "ok"
        case .failure(let error):
            reply(BridgeCodec.failure(id: id, error))
            result = error.code.rawValue
        }
        logger.debug("rpc", metadata: ["method": "\(method)", "path": "\(subject)", "result": "\(result)"])
        do {
            try audit?.record(method: method, path: method == "hello" ? "" : subject, result: result)
        } catch {
            logger.warning("audit log write failed", metadata: ["error": "\(error)"])
        }
    }

    /// Runs a request; the success value is the method's result.
    func perform(_ request: BridgeRequest) -> Result<any Encodable, BridgeError> {
        do throws(BridgeError) {
            return .success(try run(request))
        } catch {
            return .failure(error)
        }
    }

    private func run(_ request: BridgeRequest) throws(BridgeError) -> any Encodable {
        try checkAllowed(request)
        switch request {
        case .hello(let p): return hello(p)
        case .stat(let p): return try fs.stat(p)
        case .readdir(let p): return try fs.readdir(p)
        case .read(let p): return try fs.read(p)
        case .write(let p): return try fs.write(p)
        case .create(let p): try fs.create(p)
        case .mkdir(let p): try fs.mkdir(p)
        case .remove(let p): try fs.remove(p)
        case .rename(let p): try fs.rename(p)
        case .chmod(let p): try fs.chmod(p)
        case .truncate(let p): try fs.truncate(p)
        case .symlink(let p): try fs.symlink(p)
        case .readlink(let p): return try fs.readlink(p)
        case .utimens(let p): try fs.utimens(p)
        case .fsync(let p): try fs.fsync(p)
        case .exec(let p): return try exec(p)
        }
        return EmptyResult()
    }

    /// The switches, and the confirmation prompt, before anything is touched. A denied path
    /// is reported absent before the user is asked about it.
    private func checkAllowed(_ request: BridgeRequest) throws(BridgeError) {
        let method = request.method
        if method.writes && !options.allowWrite {
            throw BridgeError(.permissionDenied, method == .write ? "writes disabled on this bridge" : "writes disabled")
        }
        if method == .exec && !options.allowExec {
            throw BridgeError(.permissionDenied, "exec disabled (start daemon with --allow-exec)")
        }
        guard let confirmer, [.write, .truncate, .remove, .rename, .exec].contains(method) else { return }
        if method != .exec {
            let path = try BridgePath(parsing: request.subject.components(separatedBy: "→")[0])
            if fs.currentPolicy().denies(components: path.components) { throw BridgeError.absent(path.description) }
        }
        guard confirmer.approve(operation: method.rawValue, subject: request.subject) else {
            throw BridgeError(.permissionDenied, "denied by user")
        }
    }

    private func hello(_ p: HelloParams) -> HelloResult {
        let methods = BridgeMethod.allCases.filter { $0 != .exec || options.allowExec }.map(\.rawValue)
        return HelloResult(
            daemonVersion: Self.daemonVersion, protocolVersion: min(p.protocolVersion, BridgeProtocol.version),
            root: fs.rootPath, capabilities: methods, allowWrite: options.allowWrite, allowExec: options.allowExec,
            watch: options.watch)
    }

    private func exec(_ p: ExecParams) throws(BridgeError) -> ExecResult {
        guard !p.cmd.isEmpty else { throw BridgeError(.invalidArgument, "empty command") }
        let env = ProcessInfo.processInfo.environment
        let shell = env["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh"
        let argv = p.args.map { [p.cmd] + $0 } ?? [shell, "-c", p.cmd]
        // The bridge token is the daemon's, not the command's.
        let environment = env.filter { $0.key != options.tokenEnvironmentName }.map { "\($0.key)=\($0.value)" }
        do {
            let outcome = try CapturedCommand.run(
                arguments: argv, environment: environment, workingDirectory: fs.rootPath, input: Array(p.stdin ?? Data()),
                timeoutSeconds: Limits.bridgeExecTimeoutSeconds, maxOutputBytes: Limits.maxBridgeExecOutputBytes)
            let code: Int32 =
                switch outcome.status {
                case .exited(let c): c
                case .signaled(let s, _): 128 + s
                }
            return ExecResult(
                stdout: Data(outcome.stdout), stderr: Data(outcome.stderr), exitCode: code, timedOut: outcome.timedOut,
                truncated: outcome.truncated)
        } catch {
            throw RootedFileSystem.map(error, p.cmd)
        }
    }
}
