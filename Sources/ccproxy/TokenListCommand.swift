import ArgumentParser
import CCProxyAdminClient

/// `ccproxy token list`: every token, newest first, as a table.
struct TokenListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List tokens, newest first (bearers are never shown).")

    @OptionGroup var output: TokenOutputOptions
    @OptionGroup var store: TokenStoreOptions

    func run() throws {
        try store.run(.tokenList, output: output)
    }
}
