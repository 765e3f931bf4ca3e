import CCProxyConfig
import Foundation
import Testing

/// Parses YAML with the given environment and `/work` as the current directory.
func parse(_ yaml: String, environment: [String: String] = [:], currentDirectory: String = "/work") throws(ConfigurationError) -> Configuration {
    try ConfigurationLoader.parse(yaml: yaml, environment: environment, currentDirectory: currentDirectory)
}

/// The problems parsing `yaml` reports (empty if it is valid).
func problems(_ yaml: String, environment: [String: String] = [:]) -> [String] {
    do {
        _ = try parse(yaml, environment: environment)
        return []
    } catch {
        return error.problems
    }
}

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.path + "/ccproxy-config-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `contents` to `name` (relative to the directory, parents created) and returns the path.
    @discardableResult
    func write(_ name: String, _ contents: String = "{}\n") throws -> String {
        let file = path + "/" + name
        let parent = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func makeDirectory(_ name: String) throws -> String {
        let directory = path + "/" + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
