import ArgumentParser
import CCProxyAdminClient

/// `ccproxy token create`: mint a token and print its bearer once.
struct TokenCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a token and print its bearer (shown only once).")

    @OptionGroup var settings: TokenCreateOptions
    @OptionGroup var output: TokenOutputOptions
    @OptionGroup var store: TokenStoreOptions

    func run() throws {
        try store.run(settings.request, output: output)
    }
}
