import ArgumentParser

/// `ccproxy token`: manage the bearer tokens in `<state_dir>/tokens.db`.
///
/// While a server runs, every operation goes through its admin socket (the server performs
/// it and drops its caches, so it takes effect on the next request); without one, on the
/// database directly.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list, revoke, rotate and update bearer tokens.",
        discussion: """
            Tokens live in <state_dir>/tokens.db (state_dir from the configuration file). \
            While a server runs (<state_dir>/ccproxy.sock answers), the command is sent to \
            it and takes effect on its next request; when nothing listens there, the \
            database is changed directly. A bearer is shown once, on the last line, when it \
            is created or rotated; only its argon2id hash is stored. --json prints JSON.

            Exit status: 0 on success; 1 on failure (the message says why: no such token, \
            an ambiguous name, an invalid scope, the database, a server that cannot be \
            talked to); 2 when --env-file is \
            unusable; 64 on a command-line error.
            """,
        subcommands: [
            TokenCreateCommand.self, TokenListCommand.self, TokenRevokeCommand.self,
            TokenRotateCommand.self, TokenUpdateCommand.self,
        ])
}
