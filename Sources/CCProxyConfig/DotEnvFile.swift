import Foundation

/// Finds and reads the `.env` file of `ccproxy serve` (and of the other `ccproxy` commands,
/// so that they see the same state directory): `--env-file PATH` if given, which must
/// exist, else `.env` in the current directory if there is one.
public enum DotEnvFile {
    /// The file read from the current directory when no `--env-file` is given.
    public static let defaultName = ".env"

    /// The file's path and entries, or nil when no path was given and there is no `.env`.
    ///
    /// - Throws: a missing explicit file; a directory, an unreadable or non-UTF-8 file; a
    ///   syntax error (with its line). The message names the file.
    public static func load(
        explicitPath: String?, currentDirectory: String
    ) throws(DotEnvFileError) -> (path: String, entries: [DotEnv.Entry])? {
        let explicit = explicitPath.flatMap { $0.isEmpty ? nil : $0 }
        let path = PathResolution.absolute(explicit ?? defaultName, relativeTo: currentDirectory)
        switch ConfigurationFile.status(of: path) {
        case .missing:
            guard explicit == nil else {
                throw DotEnvFileError("--env-file \(path): no such file")
            }
            return nil
        case .directory:
            throw DotEnvFileError("env file \(path): is a directory")
        case .file:
            break
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DotEnvFileError("env file \(path): cannot be read (permission denied?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DotEnvFileError("env file \(path): is not UTF-8 text")
        }
        do {
            return (path, try DotEnv.parse(text))
        } catch {
            throw DotEnvFileError("env file \(path): \(error)")
        }
    }
}

/// Why the env file could not be used: one sentence naming the file.
public struct DotEnvFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
