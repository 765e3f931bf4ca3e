import CCPLinux
import Glibc

/// Starts child processes: fork, per-child setup in C, exec.
///
/// Used by the supervisor for workers and by workers for `claude`. Unlike posix_spawn it can
/// set a parent-death signal (PR_SET_PDEATHSIG) in the child, which is the second safeguard
/// against orphans: if the spawning process dies, its children are signalled by the kernel.
/// Note that Linux ties the parent-death signal to the spawning *thread*: spawn from a
/// thread that lives as long as the process.
public enum ProcessSpawner {
    /// What to start and how.
    public struct Request: Sendable {
        /// A path, or a bare name looked up on the `PATH` of `environment`.
        public var executable: String
        /// argv, including argv[0].
        public var arguments: [String]
        /// The complete environment of the child, as `KEY=VALUE` strings.
        public var environment: [String]
        /// Working directory, or nil to inherit.
        public var workingDirectory: String?
        /// Descriptor map: the child gets exactly these fds (parent fd → child fd number).
        public var descriptors: [(parent: Int32, child: Int32)]
        /// Put the child in a new process group (its pid = its pgid), so that the whole
        /// group (the child and everything it starts) can be signalled at once.
        public var newProcessGroup: Bool
        /// Signal the child receives when the spawning thread dies, or nil.
        public var parentDeathSignal: Int32?

        public init(
            executable: String, arguments: [String], environment: [String],
            workingDirectory: String? = nil, descriptors: [(parent: Int32, child: Int32)],
            newProcessGroup: Bool = false, parentDeathSignal: Int32? = SIGKILL
        ) {
            self.executable = executable
            self.arguments = arguments
            self.environment = environment
            self.workingDirectory = workingDirectory
            self.descriptors = descriptors
            self.newProcessGroup = newProcessGroup
            self.parentDeathSignal = parentDeathSignal
        }
    }

    /// Starts the child and returns its pid. A failed exec (missing binary, no permission,
    /// bad working directory) is reported here as a thrown error, not as a child exit.
    public static func spawn(_ request: Request) throws(PosixError) -> pid_t {
        let executable = try resolve(request.executable, environment: request.environment)
        let argv = CStringArray(request.arguments)
        let envp = CStringArray(request.environment)
        var map: [Int32] = []
        for pair in request.descriptors {
            map.append(pair.parent)
            map.append(pair.child)
        }
        let pid: pid_t = executable.withCString { path in
            let cwdCopy = request.workingDirectory.map { strdup($0) } ?? nil
            defer { free(cwdCopy) }
            return map.withUnsafeBufferPointer { mapBuffer in
                var spec = ccp_spawn_spec(
                    path: path,
                    argv: argv.pointer,
                    envp: envp.pointer,
                    cwd: UnsafePointer(cwdCopy),
                    fd_map: mapBuffer.baseAddress,
                    fd_map_count: Int32(request.descriptors.count),
                    new_process_group: request.newProcessGroup ? 1 : 0,
                    parent_death_signal: request.parentDeathSignal ?? 0)
                return ccp_spawn(&spec)
            }
        }
        guard pid > 0 else { throw PosixError("spawn \(request.executable)") }
        return pid
    }

    /// Resolves a bare name against the `PATH` of `environment` (the child's, not ours;
    /// default `/usr/local/bin:/usr/bin:/bin`). A name with a `/` is used as is.
    public static func resolve(_ name: String, environment: [String]) throws(PosixError) -> String {
        guard !name.contains("/") else { return name }
        guard !name.isEmpty else { throw PosixError("spawn", errno: ENOENT) }
        let path = environment.last(where: { $0.hasPrefix("PATH=") }).map { String($0.dropFirst(5)) }
            ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":", omittingEmptySubsequences: true) {
            let candidate = directory + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw PosixError("spawn \(name): not found on PATH", errno: ENOENT)
    }

    /// The current environment as `KEY=VALUE` strings, minus the given names.
    public static func currentEnvironment(removing names: Set<String> = []) -> [String] {
        var result: [String] = []
        var cursor = environ
        while let entry = cursor.pointee {
            let pair = String(cString: entry)
            let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? pair
            if !names.contains(name) { result.append(pair) }
            cursor += 1
        }
        return result
    }
}

/// A NULL-terminated `char *[]` that lives as long as this value.
final class CStringArray {
    let pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointer = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() {
            pointer[index] = strdup(string)
        }
        pointer[strings.count] = nil
    }

    deinit {
        for index in 0..<count { free(pointer[index]) }
        pointer.deallocate()
    }
}
