import ArgumentParser
import CCProxyAuth
import Foundation

/// `ccproxy token create`: mint a token and print its bearer once.
struct TokenCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a token and print its bearer (shown only once).")

    @Option(help: "A label for the token (not necessarily unique).")
    var name: String

    @Option(help: ArgumentHelp(
        "Comma-separated scopes: chat, session:persistent, admin, workspace:*, workspace:<name>, bridge:connect.",
        valueName: "list"))
    var scopes: String = "chat"

    @Option(help: ArgumentHelp("Lifetime, e.g. 90d, 24h, 30m, 1h30m. Default: no expiry.", valueName: "duration"))
    var ttl: String?

    @Option(help: "Requests per minute (0 = unlimited).")
    var rpm: Int = 0

    @Option(help: "Tokens per UTC day (0 = unlimited).")
    var tpd: Int = 0

    @Option(help: "Turns in progress at once (0 = unlimited).")
    var maxConcurrent: Int = 0

    @Option(help: ArgumentHelp("Verbosity override: text-only, verbose or narrated.", valueName: "mode"))
    var defaultVerbosity: String?

    @Flag(help: "Capture this token's requests for debugging.")
    var debugCapture = false

    @Option(help: ArgumentHelp("The bridge principal this token acts for.", valueName: "id"))
    var principal: String?

    @Flag(help: "Also grant bridge:connect.")
    var bridge = false

    @OptionGroup var store: TokenStoreOptions

    func run() throws {
        let scopeSet = try TokenCommandError.wrapping { () throws(ScopeError) in try ScopeSet.parse(scopes) }
        let lifetime = try ttl.map { text in
            try TokenCommandError.wrapping { () throws(TimeToLiveError) in try TimeToLive.parse(text) }
        }
        if let defaultVerbosity, !TokenAuthority.verbosities.contains(defaultVerbosity) {
            throw TokenCommandError(TokenAuthorityError.invalidVerbosity(defaultVerbosity).description)
        }
        let authority = try store.openAuthority()
        let (record, bearer) = try TokenCommandError.wrapping { () throws(TokenAuthorityError) in
            try authority.create(
                name: name, scopes: scopeSet, ttl: lifetime, rpm: rpm, tpd: tpd,
                defaultVerbosity: defaultVerbosity, debugCapture: debugCapture, principal: principal, bridge: bridge,
                maxConcurrent: maxConcurrent)
        }
        print("Created token \(record.name) (\(record.id))")
        print("  scopes:  \(record.scopes.joined(separator: ", "))")
        if let principal = record.principal {
            print("  principal: \(principal)")
        }
        if let expiresAt = record.expiresAt {
            print("  expires: \(TokenFormat.timestamp(expiresAt))")
        }
        print("")
        print("Bearer (will not be shown again):")
        print(bearer)
    }
}
