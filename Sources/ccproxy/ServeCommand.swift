import ArgumentParser
import CCProxyAuth
import CCProxyConfig
import CCProxyCore
import CCProxyPosix
import CCProxyStore
import CCProxySupervisor
import CCProxySystemd
import Foundation
import Logging

/// `ccproxy serve`: the supervisor.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the server (the supervisor and its pool of workers).",
        discussion: """
            Configuration is read from --config, else $CCPROXY_CONFIG, else \
            $CCPROXY_STATE/config.yaml, else ./ccproxy.yaml. The environment overrides \
            CCPROXY_STATE, CCPROXY_LISTEN and CCPROXY_METRICS_LISTEN. When started by systemd \
            socket activation, the passed socket (named "http", or the first one) is used \
            instead of binding (`listen` and CCPROXY_LISTEN are then ignored). Before \
            anything else, the variables of --env-file (default: ./.env if it exists) that are \
            not already set are added to the environment. On first start with an empty \
            token database a bearer is minted and printed on stderr (or CCPROXY_TOKEN is \
            stored). SIGTERM or SIGINT drains: no new connections, running turns finish, \
            then exit 0.

            Exit status: 0 after a drain; 1 on a runtime failure (the listener, the \
            database or the state directory); 2 on a configuration error (config.yaml \
            missing or invalid, the worker binary missing, an unusable --env-file), which \
            systemd does not restart; 64 on a command-line error.
            """)

    @Option(name: .long, help: "Path to config.yaml.")
    var config: String?

    @Option(name: .long, help: "Path to the ccproxy-worker executable (default: next to this binary).")
    var workerBinary: String?

    @OptionGroup var environmentFile: EnvironmentFileOptions

    func run() throws {
        let loadedEnvironment = try environmentFile.apply()
        let environment = ProcessInfo.processInfo.environment
        LogSetup.bootstrap(identifier: "ccproxy", environment: environment)
        var logger = Logger(label: "ccproxy")
        if let loadedEnvironment {
            logger.info(
                "read environment file",
                metadata: ["path": "\(loadedEnvironment.path)", "added": "\(loadedEnvironment.added.joined(separator: ","))"])
        }
        let cwd = FileManager.default.currentDirectoryPath
        let configuration: Configuration
        do {
            let path = try ConfigurationLoader.locate(explicitPath: config, environment: environment, currentDirectory: cwd)
            configuration = try ConfigurationLoader.load(path: path, environment: environment, currentDirectory: cwd)
        } catch {
            FileHandle.standardError.write(Data("ccproxy: \(error)\n".utf8))
            throw ExitCode(2)
        }
        // The bridge's FUSE manager is started before the drop (it keeps root to mount), or
        // as this user when there is nothing to drop.
        var fuseManager: FuseManagerHandle?
        let startedAsRoot = ServiceUser.isRoot
        do {
            _ = try PrivilegeDrop.dropIfRoot(configuration, logger: logger) { user in
                fuseManager = Self.startFuseManager(
                    stateDirectory: configuration.stateDirectory, owner: (user.uid, user.gid), logger: logger)
            }
            if !startedAsRoot {
                fuseManager = Self.startFuseManager(stateDirectory: configuration.stateDirectory, owner: nil, logger: logger)
            }
        } catch {
            FileHandle.standardError.write(Data("ccproxy: \(error)\n".utf8))
            throw ExitCode(2)
        }
        try ensureStateDirectory(configuration.stateDirectory)
        logger[metadataKey: "state"] = "\(configuration.stateDirectory)"
        let leftovers = removeTurnLeftovers(stateDirectory: configuration.stateDirectory)
        if leftovers > 0 { logger.notice("removed what earlier turns left behind", metadata: ["turn_directories": "\(leftovers)"]) }

        let databasePath = configuration.stateDirectory + "/tokens.db"
        // Opening, migrating and seeding may wait the usual time for the CLI's lock; the
        // connection the server then uses waits briefly (its writes are retried from a queue,
        // an authorization is better a 503 than late).
        try FirstBoot.seed(
            try TokenAuthority(databasePath: databasePath), environment: environment,
            stateDirectory: configuration.stateDirectory, logger: logger)
        let authority = try TokenAuthority(
            databasePath: databasePath, busyTimeoutMilliseconds: Limits.supervisorBusyTimeoutMilliseconds)

        var settings = configuration.proxySettings()
        settings.operatorHome = ProcessInfo.processInfo.environment["HOME"]
        settings.hostMCPServers = OperatorMCPServers.read(home: settings.operatorHome, logger: logger)
        ClaudeProbe.probe(into: &settings, logger: logger)
        try Self.checkIsolation(settings, logger: logger)

        let workerExecutable = workerBinary ?? Self.siblingExecutable("ccproxy-worker")
        guard FileManager.default.isExecutableFile(atPath: workerExecutable) else {
            FileHandle.standardError.write(Data("ccproxy: the worker executable \(workerExecutable) is missing or not executable (install ccproxy-worker next to ccproxy, or pass --worker-binary)\n".utf8))
            throw ExitCode(2)
        }
        let supervisorConfiguration = SupervisorConfiguration(
            listenHost: configuration.listen.host, listenPort: configuration.listen.port,
            stateDirectory: configuration.stateDirectory,
            workerExecutable: workerExecutable,
            settings: settings, policy: PoolPolicy(configuration),
            reloader: Self.reloader(
                original: configuration, probed: settings, explicitPath: config, environment: environment,
                currentDirectory: cwd, logger: logger),
            metricsHost: configuration.metricsListen?.host, metricsPort: configuration.metricsListen?.port ?? 0,
            fuseManager: fuseManager)
        let sessions: SessionRegistry?
        do {
            sessions = try SessionRegistry(
                databasePath: configuration.stateDirectory + "/tokens.db", stateDirectory: configuration.stateDirectory)
        } catch {
            logger.error("could not open the session registry; persistent sessions are refused", metadata: ["error": "\(error)"])
            sessions = nil
        }
        let supervisor = Supervisor(
            configuration: supervisorConfiguration, authority: TokenGate(authority: authority, logger: logger),
            sessions: sessions, logger: logger)
        let code = try supervisor.run(listened: CCProxyCommand.listenedSockets)
        throw ExitCode(code)
    }

    /// Reads the configuration again as at start (same file, same environment). Settings
    /// that only a restart can change are reported as notes and keep their running values.
    static func reloader(
        original: Configuration, probed: ProxySettings, explicitPath: String?, environment: [String: String],
        currentDirectory: String, logger: Logger
    ) -> ConfigurationReloader {
        return {
            let fresh: Configuration
            do {
                let path = try ConfigurationLoader.locate(
                    explicitPath: explicitPath, environment: environment, currentDirectory: currentDirectory)
                fresh = try ConfigurationLoader.load(path: path, environment: environment, currentDirectory: currentDirectory)
            } catch let error as ConfigurationError {
                return .failure(ReloadRefusal(problems: error.problems))
            } catch {
                return .failure(ReloadRefusal(problems: ["\(error)"]))
            }
            var notes: [String] = []
            if fresh.listen != original.listen { notes.append("listen (\(original.listen) → \(fresh.listen))") }
            if fresh.metricsListen != original.metricsListen { notes.append("metrics_listen") }
            if fresh.stateDirectory != original.stateDirectory { notes.append("state_dir") }
            if fresh.isolation != original.isolation { notes.append("isolation") }
            if fresh.serviceUser != original.serviceUser { notes.append("user") }
            var effective = fresh
            effective.stateDirectory = original.stateDirectory
            // Checked by the start-up probe; only a restart may change it.
            effective.isolation = original.isolation
            var settings = effective.proxySettings()
            settings.operatorHome = probed.operatorHome
            settings.hostMCPServers = OperatorMCPServers.read(home: probed.operatorHome, logger: logger)
            if settings.claudeBinary == probed.claudeBinary {
                settings.claudeVersion = probed.claudeVersion
                settings.claudeProbeError = probed.claudeProbeError
            } else {
                ClaudeProbe.probe(into: &settings, logger: logger)
            }
            return .success(ReloadedConfiguration(settings: settings, policy: PoolPolicy(effective), notes: notes))
        }
    }

    /// Fails closed: with `isolation: namespaces` a sandbox that does not work stops the start.
    static func checkIsolation(_ settings: ProxySettings, logger: Logger) throws {
        switch settings.isolation {
        case .none:
            logger.warning("isolation: none — claude runs without a sandbox and can reach the server's files")
        case .namespaces:
            do {
                try SandboxProbe.verify(settings: settings, environment: ProcessSpawner.currentEnvironment())
            } catch {
                let message = "ccproxy: the turn sandbox does not work here: \(error). Refusing to start: "
                    + "without it a tenant's claude could read the token database and the server's processes. "
                    + "Fix the sandbox, or set `isolation: none` in the configuration to run claude unconfined.\n"
                FileHandle.standardError.write(Data(message.utf8))
                throw ExitCode(2)
            }
        }
    }

    /// `name` in the directory of the running executable.
    /// Starts `ccproxy-fuse manager` next to this executable; nil (bridges are then refused
    /// with 503) when it is missing or cannot start.
    static func startFuseManager(stateDirectory: String, owner: (uid: UInt32, gid: UInt32)?, logger: Logger) -> FuseManagerHandle? {
        let executable = siblingExecutable("ccproxy-fuse")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            logger.warning("no FUSE helper next to ccproxy; bridges are refused", metadata: ["path": "\(executable)"])
            return nil
        }
        do {
            let handle = try FuseManagerLauncher.launch(
                executable: executable, mountRoot: stateDirectory + "/bridges", owner: owner)
            logger.debug("FUSE manager started", metadata: ["pid": "\(handle.pid)"])
            return handle
        } catch {
            logger.error("could not start the FUSE helper; bridges are refused", metadata: ["error": "\(error)"])
            return nil
        }
    }

    static func siblingExecutable(_ name: String) -> String {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: me).deletingLastPathComponent().appendingPathComponent(name).path
    }
}

/// Records `claude --version` once at startup, for `/healthz` and `/readyz`.
enum ClaudeProbe {
    static func probe(into settings: inout ProxySettings, logger: Logger) {
        do {
            let outcome = try CommandRunner.run(
                executable: settings.claudeBinary, arguments: ["--version"],
                environment: ProcessSpawner.currentEnvironment(), timeoutSeconds: 10)
            let version = outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if outcome.status == .exited(0) && !version.isEmpty {
                settings.claudeVersion = version
                logger.info("claude found", metadata: ["version": "\(version)", "binary": "\(settings.claudeBinary)"])
            } else {
                settings.claudeProbeError = "'\(settings.claudeBinary) --version' \(outcome.status)"
            }
        } catch {
            settings.claudeProbeError = "cannot run '\(settings.claudeBinary)': \(error)"
        }
        if let problem = settings.claudeProbeError {
            logger.warning("claude is not usable; /readyz will answer 503", metadata: ["error": "\(problem)"])
        }
    }
}
