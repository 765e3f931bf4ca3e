import Foundation

/// File system access for configuration files: existence checks and reading.
enum ConfigurationFile {
    /// What is at a path.
    enum Status: Equatable {
        case missing
        case directory
        case file
    }

    static func status(of path: String) -> Status {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        return isDirectory.boolValue ? .directory : .file
    }

    /// The file's content as UTF-8 text.
    ///
    /// - Throws: `.notFound` if nothing is there; `.unreadable` for a directory, a permission
    ///   problem or content that is not UTF-8.
    static func read(_ path: String) throws(ConfigurationError) -> String {
        switch status(of: path) {
        case .missing:
            throw ConfigurationError(kind: .notFound, problems: ["config file \(path): no such file"])
        case .directory:
            throw ConfigurationError(kind: .unreadable, problems: ["config file \(path): is a directory"])
        case .file:
            break
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(kind: .unreadable, problems: ["config file \(path): cannot be read (permission denied?)"])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError(kind: .unreadable, problems: ["config file \(path): is not UTF-8 text"])
        }
        return text
    }
}
