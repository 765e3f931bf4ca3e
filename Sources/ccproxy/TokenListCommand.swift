import ArgumentParser
import CCProxyAuth
import CCProxyStore

/// `ccproxy token list`: every token, newest first, as a table.
struct TokenListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List tokens, newest first (bearers are never shown).")

    @OptionGroup var store: TokenStoreOptions

    func run() throws {
        let authority = try store.openAuthority()
        let records = try TokenCommandError.wrapping { () throws(TokenAuthorityError) in try authority.list() }
        print(TokenFormat.table(records), terminator: "")
    }
}
