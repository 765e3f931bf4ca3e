import ArgumentParser

/// `ccproxy token`: manage the bearer tokens in `<state_dir>/tokens.db`.
///
/// Safe to run while the server runs: the server reads the token's row on every request, so
/// a revoke, rotate or update here takes effect on the next request.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list, revoke, rotate and update bearer tokens.",
        discussion: """
            Tokens live in <state_dir>/tokens.db (state_dir from the configuration file). \
            Changes take effect on the running server's next request. A bearer is shown \
            once, when it is created or rotated; only its argon2id hash is stored.
            """,
        subcommands: [
            TokenCreateCommand.self, TokenListCommand.self, TokenRevokeCommand.self,
            TokenRotateCommand.self, TokenUpdateCommand.self,
        ])
}
