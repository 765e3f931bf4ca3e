import ArgumentParser
import CCProxyAdminClient

/// `ccproxy token revoke`: delete a token; its bearer is refused from the next request on.
struct TokenRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke a token (and delete its usage counters).")

    @Argument(help: ArgumentHelp("The token's id, or its name if no other token has it.", valueName: "id-or-name"))
    var idOrName: String

    @OptionGroup var output: TokenOutputOptions
    @OptionGroup var store: TokenStoreOptions

    func run() throws {
        try store.run(.tokenRevoke(idOrName: idOrName), output: output)
    }
}
