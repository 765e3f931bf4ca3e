import ArgumentParser
import CCProxyAdminClient

/// `ccproxy token rotate`: replace a token's bearer, keeping everything else.
struct TokenRotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Give a token a new bearer; the old one stops working at once.",
        discussion: "Name, scopes, limits, expiry, principal and capture flag are kept.")

    @Argument(help: ArgumentHelp("The token's id, or its name if no other token has it.", valueName: "id-or-name"))
    var idOrName: String

    @OptionGroup var output: TokenOutputOptions
    @OptionGroup var store: TokenStoreOptions

    func run() throws {
        try store.run(.tokenRotate(idOrName: idOrName), output: output)
    }
}
