/// The sandbox one claude turn runs in, as a bubblewrap (`bwrap`) command line. Pure.
///
/// Why bubblewrap rather than our own namespace code in the C shim: a sandbox that keeps
/// its capabilities is none (claude's Bash could simply `umount` what hides the state
/// directory), so the mounts have to be made in an outer user namespace and claude run with
/// no capabilities, an empty bounding set, `no_new_privs` and no way to create another user
/// namespace — and the PID namespace needs an init that reaps and takes everything down
/// with it. bubblewrap does exactly that, is maintained and audited by the Flatpak people,
/// ships in Debian (`bubblewrap`), and works unprivileged; the same in C between fork and
/// exec (async-signal-safe only, uid/gid maps written by the parent, a reaping init) would be
/// several hundred lines of the code hardest to get right and to review. The cost is one
/// more package and one extra process per turn.
///
/// Inside, claude sees the host read-only (`/` bound read-only: the claude binary, the
/// system, the network — the API may be on 127.0.0.1 — stay reachable) except:
/// - the state directory is an empty tmpfs: no database, admin socket, captures, other
///   turns' directories or other owners' homes; other configured workspaces are hidden too;
/// - `/proc` is the sandbox's own: the supervisor's and workers' entries (and environments)
///   do not exist there;
/// - `/tmp` is the turn's own directory (so claude's sockets and scratch files go with it);
/// - writable: the working directory (at its own path, because claude files transcripts by
///   working directory and a session must find them again), `/tmp`, and the owner's claude
///   home (at its own path), where the operator's configuration is bound read-only.
/// When claude exits, the sandbox's init exits and the kernel kills whatever is left in the
/// PID namespace (a tool that called `setsid` or double-forked); `--die-with-parent` does the
/// same when the worker dies.
public struct TurnSandbox: Sendable, Equatable {
    /// An operator file or directory bound read-only into the owner's claude home.
    public struct ReadOnlyEntry: Sendable, Equatable {
        public var source: String
        /// The name inside the claude home (e.g. `settings.json`).
        public var name: String

        public init(source: String, name: String) {
            self.source = source
            self.name = name
        }
    }

    /// The sandbox tool, a name looked up on claude's `PATH` or a path.
    public var tool: String = "bwrap"
    public var stateDirectory: String
    public var workingDirectory: String
    /// The directory that becomes the turn's `/tmp`.
    public var temporaryDirectory: String
    /// The owner's claude home (`HOME` and `CLAUDE_CONFIG_DIR`).
    public var claudeHome: String
    /// Operator configuration made visible read-only in the claude home (missing sources
    /// are skipped: `--ro-bind-try`).
    public var readOnly: [ReadOnlyEntry]
    /// Other directories to hide (configured workspaces this turn was not granted).
    public var hidden: [String]
    /// Files claude reads at their own paths though they lie in what is hidden (the turn's
    /// system prompt file under the state directory), bound read-only.
    public var files: [String]
    /// Programs claude starts itself (the worker's own executable, as the server of a
    /// turn's client functions): each one's directory is bound read-only when it would
    /// otherwise be out of sight, under the same rule as claude's own.
    public var helperExecutables: [String] = []

    public init(
        stateDirectory: String, workingDirectory: String, temporaryDirectory: String, claudeHome: String,
        readOnly: [ReadOnlyEntry] = [], hidden: [String] = [], files: [String] = []
    ) {
        self.stateDirectory = stateDirectory
        self.workingDirectory = workingDirectory
        self.temporaryDirectory = temporaryDirectory
        self.claudeHome = claudeHome
        self.readOnly = readOnly
        self.hidden = hidden
        self.files = files
    }

    /// The path `TMPDIR` names inside the sandbox.
    public static let temporaryPath = "/tmp"

    /// The operator's claude configuration that every turn may read (what the CLI reads from
    /// its config directory besides its own state): settings, memory, skills, agents,
    /// commands, plugins and output styles.
    public static let operatorConfigurationNames = [
        "settings.json", "CLAUDE.md", "skills", "agents", "commands", "plugins", "output-styles",
        // The operator's `claude /login`, for servers without an API key (read-only: a
        // token refresh inside a turn cannot be written back).
        ".credentials.json",
    ]

    /// The read-only entries for an operator whose claude configuration is `directory`
    /// (usually `~/.claude`).
    public static func operatorEntries(configurationDirectory directory: String) -> [ReadOnlyEntry] {
        operatorConfigurationNames.map { ReadOnlyEntry(source: directory + "/" + $0, name: $0) }
    }

    /// `tool` followed by its arguments, then `executable` and `arguments` (what runs inside).
    /// `executable` must be a path (resolve names first); when it lies in a directory the
    /// sandbox hides (`/tmp`, the state directory), its directory is bound read-only again.
    public func commandLine(executable: String, arguments: [String]) -> [String] {
        var argv = [
            tool,
            // IPC too: every turn has the same uid, so SysV IPC would be a channel between
            // tenants. No UTS or cgroup namespace: they hide nothing here.
            "--unshare-user", "--unshare-pid", "--unshare-ipc",
            "--disable-userns", "--die-with-parent", "--cap-drop", "ALL",
            "--ro-bind", "/", "/",
            "--dev", "/dev",
            "--proc", "/proc",
            "--tmpfs", stateDirectory,
        ]
        for path in hidden where path != workingDirectory && !Self.isInside(workingDirectory, path) {
            argv += ["--tmpfs", path]
        }
        argv += ["--bind", temporaryDirectory, Self.temporaryPath]
        // A program under what the sandbox hides or replaces (the state directory, `/tmp` —
        // a checkout in /tmp, say —, a hidden workspace) would not be found: its directory is
        // bound back read-only.
        var bound: [String] = []
        for program in [executable] + helperExecutables {
            let directory = Self.parent(of: program)
            guard !bound.contains(directory) else { continue }
            if Self.isInside(directory, stateDirectory) || Self.isInside(directory, Self.temporaryPath)
                || hidden.contains(where: { Self.isInside(directory, $0) })
            {
                argv += ["--ro-bind", directory, directory]
                bound.append(directory)
            }
        }
        argv += ["--bind", claudeHome, claudeHome]
        for entry in readOnly {
            argv += ["--ro-bind-try", entry.source, claudeHome + "/" + entry.name]
        }
        for file in files {
            argv += ["--ro-bind", file, file]
        }
        argv += ["--bind", workingDirectory, workingDirectory, "--chdir", workingDirectory, "--", executable]
        return argv + arguments
    }

    /// Whether `path` is `directory` or below it (lexically; both absolute and normalised).
    static func isInside(_ path: String, _ directory: String) -> Bool {
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        return path == base || path.hasPrefix(base + "/")
    }

    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
