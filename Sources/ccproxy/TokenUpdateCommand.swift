import ArgumentParser
import CCProxyAdminClient

/// `ccproxy token update`: change a token's settings in place; options not given are kept.
/// Takes effect on the token's next request, also while the server runs.
struct TokenUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a token's settings (scopes, limits, verbosity, capture, principal).")

    @Argument(help: ArgumentHelp("The token's id, or its name if no other token has it.", valueName: "id-or-name"))
    var idOrName: String

    @OptionGroup var settings: TokenUpdateOptions
    @OptionGroup var output: TokenOutputOptions
    @OptionGroup var store: TokenStoreOptions

    func run() throws {
        let request = try TokenCommandError.wrapping { () throws(TokenOptionsError) in try settings.request(idOrName: idOrName) }
        try store.run(request, output: output)
    }
}
