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

            Exit status: 0 on success; 1 on failure (the message says why: no such token, \
            an ambiguous name, an invalid scope, the database); 2 when --env-file is \
            unusable; 64 on a command-line error.
            """,
        subcommands: [
            TokenCreateCommand.self, TokenListCommand.self, TokenRevokeCommand.self,
            TokenRotateCommand.self, TokenUpdateCommand.self,
        ])
}
