import ArgumentParser
import CCProxyConfig
import Foundation

/// `ccproxy config check`: load and validate the configuration exactly as `serve` would.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Work with the configuration file.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration as `ccproxy serve` would and report every problem at once.",
            discussion: """
                Reads --env-file (default: ./.env if it exists) first, as `serve` does. Exit \
                status 0 when valid, 2 when not (or when no file is found, or the env file is \
                unusable), 64 on a command-line error.
                """)

        @Option(name: .long, help: "Path to config.yaml (default: the same resolution order as `serve`).")
        var config: String?

        @OptionGroup var environmentFile: EnvironmentFileOptions

        func run() throws {
            _ = try environmentFile.apply()
            let environment = ProcessInfo.processInfo.environment
            let cwd = FileManager.default.currentDirectoryPath
            do {
                let path = try ConfigurationLoader.locate(explicitPath: config, environment: environment, currentDirectory: cwd)
                let loaded = try ConfigurationLoader.load(path: path, environment: environment, currentDirectory: cwd)
                print("\(path): ok")
                print("  listen:    \(loaded.listen)")
                print("  state_dir: \(loaded.stateDirectory)")
                print("  models:    \(loaded.models.map(\.id).joined(separator: ", "))\(loaded.allowPassthroughModels ? " (+ passthrough)" : "")")
                print("  workers:   min_idle \(loaded.workers.minIdle), max \(loaded.workers.maxWorkers)")
            } catch {
                FileHandle.standardError.write(Data("ccproxy: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}
