import ArgumentParser
import CCProxyAuth

/// `ccproxy token revoke`: delete a token; its bearer is refused from the next request on.
struct TokenRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a token (and delete its usage counters).")

    @Argument(help: ArgumentHelp("The token's id, or its name if no other token has it.", valueName: "id-or-name"))
    var idOrName: String

    @OptionGroup var store: TokenStoreOptions

    func run() throws {
        let authority = try store.openAuthority()
        let record = try TokenCommandError.wrapping { () throws(TokenAuthorityError) in
            try authority.revoke(idOrName: idOrName)
        }
        print("Revoked token \(record.name) (\(record.id)).")
    }
}
