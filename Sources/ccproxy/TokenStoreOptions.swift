import ArgumentParser
import CCProxyAdminClient
import CCProxyAuth
import CCProxySupervisor
import CCProxyWire
import Foundation

/// The options every `ccproxy token` subcommand shares: where the token database is.
struct TokenStoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file whose state_dir holds tokens.db.", valueName: "path"))
    var config: String?

    @OptionGroup var environmentFile: EnvironmentFileOptions

    /// Performs a token operation: through the running server's admin socket
    /// (`<state_dir>/ccproxy.sock`) when one listens, so that the server does it on its
    /// authority thread and drops its caches at once; on the database directly only when
    /// nothing listens there (no socket, or a stale one). A server that answers with an error,
    /// or that cannot be talked to for another reason, is an error: never a silent fallback.
    ///
    /// Reads the env file first (as `serve` does), so that `CCPROXY_STATE` and
    /// `CCPROXY_CONFIG` from a `.env` name the same state directory the server uses.
    func perform(_ request: AdminRequest) throws -> AdminReply {
        _ = try environmentFile.apply()
        let stateDirectory = try resolveStateDirectory(configPath: config)
        let socketPath = AdminSocket.path(stateDirectory: stateDirectory)
        do {
            return try AdminClient.request(request, socketPath: socketPath)
        } catch .notListening {
            return TokenAdministration(authority: try openAuthority(stateDirectory: stateDirectory)).perform(request)
        } catch {
            throw TokenCommandError("cannot reach the server at \(socketPath): \(error)")
        }
    }

    /// Performs `request` and prints its reply as `output` says; an error reply is the
    /// command's error.
    func run(_ request: AdminRequest, output: TokenOutputOptions) throws {
        switch try output.render(try perform(request)) {
        case .success(let text): print(text, terminator: "")
        case .failure(let error): throw TokenCommandError(error.description)
        }
    }

    /// Opens (creating and migrating if needed) `<state_dir>/tokens.db`; the state directory
    /// is created with mode 0700 if it does not exist.
    private func openAuthority(stateDirectory: String) throws -> TokenAuthority {
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
