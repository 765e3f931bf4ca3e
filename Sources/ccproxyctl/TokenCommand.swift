// ccproxyctl token: the running server's tokens, managed through its admin socket. The
// supervisor performs each operation on its authority thread; a revoke or rotate takes
// effect for the very next request.

import ArgumentParser
import CCProxyAdminClient
import CCProxyWire
import Foundation

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list, revoke, rotate and update bearer tokens of the running server.",
        discussion: """
            The same commands and options as `ccproxy token …`, performed by the server. A \
            bearer is shown once, on the last line, when it is created or rotated. Exit \
            status: 0 on success; 1 when the server cannot be reached or refuses (the \
            message says why); 64 on a command-line error.
            """,
        subcommands: [TokenCreate.self, TokenList.self, TokenRevoke.self, TokenRotate.self, TokenUpdate.self])
}

/// Sends a token operation and prints its reply; errors exit 1 with the server's message.
enum TokenCall {
    static func run(_ request: AdminRequest, socket: SocketOptions, output: TokenOutputOptions) throws {
        let reply = try AdminCall.perform(request, socketPath: socket.path)
        switch try output.render(reply) {
        case .success(let text):
            print(text, terminator: "")
        case .failure(let error):
            FileHandle.standardError.write(Data("ccproxyctl: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct TokenCreate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a token and print its bearer (shown only once).")

    @OptionGroup var settings: TokenCreateOptions
    @OptionGroup var output: TokenOutputOptions
    @OptionGroup var socket: SocketOptions

    func run() throws { try TokenCall.run(settings.request, socket: socket, output: output) }
}

struct TokenList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List tokens, newest first (bearers are never shown).")

    @OptionGroup var output: TokenOutputOptions
    @OptionGroup var socket: SocketOptions

    func run() throws { try TokenCall.run(.tokenList, socket: socket, output: output) }
}

struct TokenRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a token (and delete its usage counters).")

    @Argument(help: ArgumentHelp("The token's id, or its name if no other token has it.", valueName: "id-or-name"))
    var idOrName: String
    @OptionGroup var output: TokenOutputOptions
    @OptionGroup var socket: SocketOptions

    func run() throws { try TokenCall.run(.tokenRevoke(idOrName: idOrName), socket: socket, output: output) }
}

struct TokenRotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Give a token a new bearer; the old one stops working at once.",
        discussion: "Name, scopes, limits, expiry, principal and capture flag are kept.")

    @Argument(help: ArgumentHelp("The token's id, or its name if no other token has it.", valueName: "id-or-name"))
    var idOrName: String
    @OptionGroup var output: TokenOutputOptions
    @OptionGroup var socket: SocketOptions

    func run() throws { try TokenCall.run(.tokenRotate(idOrName: idOrName), socket: socket, output: output) }
}

struct TokenUpdate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change a token's settings (scopes, limits, verbosity, capture, principal).")

    @Argument(help: ArgumentHelp("The token's id, or its name if no other token has it.", valueName: "id-or-name"))
    var idOrName: String
    @OptionGroup var settings: TokenUpdateOptions
    @OptionGroup var output: TokenOutputOptions
    @OptionGroup var socket: SocketOptions

    func run() throws {
        let request: AdminRequest
        do {
            request = try settings.request(idOrName: idOrName)
        } catch {
            FileHandle.standardError.write(Data("ccproxyctl: \(error)\n".utf8))
            throw ExitCode(1)
        }
        try TokenCall.run(request, socket: socket, output: output)
    }
}
