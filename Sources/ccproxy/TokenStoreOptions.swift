import ArgumentParser
import CCProxyAuth
import Foundation

/// The options every `ccproxy token` subcommand shares: where the token database is.
struct TokenStoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file whose state_dir holds tokens.db.", valueName: "path"))
    var config: String?

    @OptionGroup var environmentFile: EnvironmentFileOptions

    /// Opens (creating and migrating if needed) `<state_dir>/tokens.db`; the state directory
    /// is created with mode 0700 if it does not exist.
    ///
    /// Reads the env file first (as `serve` does), so that `CCPROXY_STATE` and
    /// `CCPROXY_CONFIG` from a `.env` name the same database the server uses.
    func openAuthority() throws -> TokenAuthority {
        _ = try environmentFile.apply()
        let stateDirectory = try resolveStateDirectory(configPath: config)
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: stateDirectory, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: stateDirectory, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700])
            } catch {
                throw TokenCommandError("cannot create state directory \(stateDirectory): \(error.localizedDescription)")
            }
        } else if !isDirectory.boolValue {
            throw TokenCommandError("state directory \(stateDirectory) is not a directory")
        }
        return try TokenCommandError.wrapping { () throws(TokenAuthorityError) in
            try TokenAuthority(databasePath: stateDirectory + "/tokens.db")
        }
    }
}
