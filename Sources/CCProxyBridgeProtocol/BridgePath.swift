import CCProxyCore

/// A path as the server names it, made into components relative to the root.
///
/// Leading `/` is dropped, empty and `.` components are skipped, and `..` climbs, but
/// never above the root (`../x` and `/etc/passwd` both stay inside, as the reference's
/// `Clean("/"+rel)` made them). Symbolic links are not looked at here: that is the
/// daemon's walk, which follows them one component at a time (`resolveLink`).
public struct BridgePath: Sendable, Equatable, CustomStringConvertible {
    public let components: [String]

    public init(components: [String]) { self.components = components }

    /// Parses `raw`; refuses (`invalid_argument`) a path longer than
    /// `Limits.maxBridgePathBytes` or containing a NUL byte, which no system call could take.
    public init(parsing raw: String) throws(BridgeError) {
        guard raw.utf8.count <= Limits.maxBridgePathBytes else {
            throw BridgeError(.invalidArgument, "path longer than \(Limits.maxBridgePathBytes) bytes")
        }
        guard !raw.utf8.contains(0) else { throw BridgeError(.invalidArgument, "path contains a NUL byte") }
        var out: [String] = []
        for part in raw.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !out.isEmpty { out.removeLast() }
            default: out.append(String(part))
            }
        }
        components = out
    }

    public var isRoot: Bool { components.isEmpty }
    /// The last component, or nil for the root.
    public var name: String? { components.last }
    public var parent: BridgePath { BridgePath(components: Array(components.dropLast())) }
    /// `a/b/c`, or `""` for the root.
    public var description: String { components.joined(separator: "/") }

    /// Where a symbolic link found in directory `directory` (components under the root)
    /// points, as components under the root; nil if the target leaves the root.
    ///
    /// `rootComponents` is the root's own absolute, symlink-free location (an absolute
    /// target is inside only if it starts with it). A relative target is taken from the
    /// link's directory and leaves the root as soon as `..` climbs above it: unlike the
    /// request path, a link is not clamped, it is refused (`out_of_root`).
    public static func resolveLink(target: String, inDirectory directory: [String], rootComponents: [String]) -> [String]? {
        var out: [String]
        if target.hasPrefix("/") {
            let absolute = normalizeAbsolute(target)
            guard let absolute, absolute.starts(with: rootComponents) else { return nil }
            return Array(absolute.dropFirst(rootComponents.count))
        }
        out = directory
        for part in target.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                guard !out.isEmpty else { return nil }
                out.removeLast()
            default: out.append(String(part))
            }
        }
        return out
    }

    /// An absolute path as components, `..` applied; `..` at `/` stays at `/` as the kernel does.
    private static func normalizeAbsolute(_ path: String) -> [String]? {
        var out: [String] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !out.isEmpty { out.removeLast() }
            default: out.append(String(part))
            }
        }
        return out
    }
}
