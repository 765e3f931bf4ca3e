import ArgumentParser
import CCProxyConfig
import Foundation

/// `--env-file PATH`: the `.env` file whose variables are added to the environment before
/// anything reads it (the configuration, the log setup, and the workers and claude, which
/// inherit it). Variables already set always win.
struct EnvironmentFileOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "KEY=VALUE file to add to the environment (default: ./.env if it exists; variables already set win).",
            valueName: "path"))
    var envFile: String?

    /// What `apply()` did, for one log line once logging is set up.
    struct Loaded {
        var path: String
        /// The names of the variables added (never their values).
        var added: [String]
    }

    /// Reads the file and sets the variables that are not set yet. Call before any thread
    /// starts: setenv is not thread-safe.
    ///
    /// - Throws: `ExitCode(2)`, after one line on stderr, for a missing `--env-file` or a
    ///   file that cannot be read or parsed.
    func apply() throws -> Loaded? {
        let loaded: (path: String, entries: [DotEnv.Entry])?
        do {
            loaded = try DotEnvFile.load(explicitPath: envFile, currentDirectory: FileManager.default.currentDirectoryPath)
        } catch {
            FileHandle.standardError.write(Data("ccproxy: \(error)\n".utf8))
            throw ExitCode(2)
        }
        guard let loaded else { return nil }
        let additions = DotEnv.additions(loaded.entries, to: ProcessInfo.processInfo.environment)
        for (key, value) in additions {
            setenv(key, value, 0)
        }
        return Loaded(path: loaded.path, added: additions.keys.sorted())
    }
}
