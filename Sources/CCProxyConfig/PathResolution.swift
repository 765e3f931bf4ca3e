/// Lexical path handling (no file system access): joining and normalising POSIX paths.
enum PathResolution {
    /// `path` if it is absolute, else `path` resolved against `directory`; normalised either way.
    static func absolute(_ path: String, relativeTo directory: String) -> String {
        normalized(path.hasPrefix("/") ? path : directory + "/" + path)
    }

    /// Collapses repeated `/`, `.` and `..` components and drops a trailing `/`.
    /// `..` never climbs above `/`. Relative paths stay relative.
    static func normalized(_ path: String) -> String {
        let isAbsolute = path.hasPrefix("/")
        var components: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".":
                continue
            case "..":
                if let last = components.last, last != ".." {
                    components.removeLast()
                } else if !isAbsolute {
                    components.append(component)
                }
            default:
                components.append(component)
            }
        }
        let joined = components.joined(separator: "/")
        if isAbsolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
