import ArgumentParser
import CCProxyAuth

/// `ccproxy token rotate`: replace a token's bearer, keeping everything else.
struct TokenRotateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate",
        abstract: "Give a token a new bearer; the old one stops working at once.",
        discussion: "Name, scopes, limits, expiry, principal and capture flag are kept.")

    @Argument(help: ArgumentHelp("The token's id, or its name if no other token has it.", valueName: "id-or-name"))
    var idOrName: String

    @OptionGroup var store: TokenStoreOptions

    func run() throws {
        let authority = try store.openAuthority()
        let (record, bearer) = try TokenCommandError.wrapping { () throws(TokenAuthorityError) in
            try authority.rotate(idOrName: idOrName)
        }
        print("Rotated token \(record.name) (\(record.id)).")
        print("New bearer (will not be shown again):")
        print(bearer)
    }
}
