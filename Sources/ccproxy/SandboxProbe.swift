// Runs in: the supervisor (`ccproxy serve`), once at start, after the privilege drop.

import CCProxyCore
import CCProxyPosix
import Foundation

/// Checks at start that the turn sandbox really works here, by running a trivial command in
/// one built exactly as a turn's is (`TurnSandbox`), which must print a marker and must not
/// see the state directory's contents.
///
/// Fail closed: with `isolation: namespaces` (the default) a sandbox that does not work
/// (bubblewrap missing, the kernel refusing unprivileged user namespaces) stops the server
/// at start, instead of running tenants' claude unconfined. Only `isolation: none`, set
/// explicitly, runs without one.
enum SandboxProbe {
    struct Failure: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    static let marker = "ccproxy-sandbox-ok"

    /// - Throws: `Failure` saying what went wrong.
    static func verify(settings: ProxySettings, environment: [String]) throws(Failure) {
        let root = settings.stateDirectory + "/turns/probe-" + UUID().uuidString
        let working = root + "/workspace"
        let temporary = root + "/tmp"
        let home = root + "/home"
        defer { try? FileManager.default.removeItem(atPath: root) }
        do {
            for directory in [root, working, temporary, home] {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw Failure(reason: "cannot create the probe's directories under \(root): \(error)")
        }
        let sandbox = TurnSandbox(
            stateDirectory: settings.stateDirectory, workingDirectory: working, temporaryDirectory: temporary,
            claudeHome: home)
        // The state directory holds at least config or tokens.db by now; inside it must look
        // empty but for the mount points of this turn.
        let script = "ls -A \(settings.stateDirectory) | grep -qvx turns && exit 3; echo \(marker)"
        let argv = sandbox.commandLine(executable: "/bin/sh", arguments: ["-c", script])
        let path = environment.last(where: { $0.hasPrefix("PATH=") }) ?? "PATH=/usr/local/bin:/usr/bin:/bin"
        let outcome: CommandRunner.Outcome
        do {
            outcome = try CommandRunner.run(
                executable: argv[0], arguments: Array(argv.dropFirst()), environment: [path],
                timeoutSeconds: Limits.sandboxProbeTimeoutSeconds)
        } catch {
            throw Failure(reason: "cannot run bubblewrap (\(argv[0])): \(error); install the bubblewrap package")
        }
        guard outcome.status == .exited(0), outcome.output.contains(marker) else {
            throw Failure(
                reason: "a test command in the turn sandbox failed (\(outcome.status)); the kernel may refuse unprivileged user namespaces (see sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone)")
        }
    }
}
