import ArgumentParser
import CCProxyAuth

/// `ccproxy token update`: change a token's settings in place; options not given are kept.
/// Takes effect on the token's next request, also while the server runs.
struct TokenUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a token's settings (scopes, limits, verbosity, capture, principal).")

    @Argument(help: ArgumentHelp("The token's id, or its name if no other token has it.", valueName: "id-or-name"))
    var idOrName: String

    @Option(help: ArgumentHelp(
        "Comma-separated scopes, replacing the current ones: chat, session:persistent, admin, workspace:*, workspace:<name>, bridge:connect.",
        valueName: "list"))
    var scopes: String?

    @Option(help: "Requests per minute (0 = unlimited).")
    var rpm: Int?

    @Option(help: "Tokens per UTC day (0 = unlimited).")
    var tpd: Int?

    @Option(help: "Turns in progress at once (0 = unlimited).")
    var maxConcurrent: Int?

    @Option(help: ArgumentHelp("Verbosity override: text-only, verbose, narrated, or none to clear.", valueName: "mode"))
    var defaultVerbosity: String?

    @Option(help: ArgumentHelp("Capture this token's requests: on or off (also true/false, 1/0, yes/no).", valueName: "on|off"))
    var debugCapture: String?

    @Option(help: ArgumentHelp("The bridge principal this token acts for, or none to clear.", valueName: "id"))
    var principal: String?

    @OptionGroup var store: TokenStoreOptions

    func run() throws {
        var settings = TokenSettingsUpdate(rpm: rpm, tpd: tpd, maxConcurrent: maxConcurrent)
        if let scopes {
            settings.scopes = try TokenCommandError.wrapping { () throws(ScopeError) in try ScopeSet.parse(scopes) }
        }
        if let debugCapture {
            guard let enabled = Self.toggle(debugCapture) else {
                throw TokenCommandError("--debug-capture must be on or off, not \"\(debugCapture)\"")
            }
            settings.debugCapture = enabled
        }
        if let defaultVerbosity { settings.defaultVerbosity = .some(defaultVerbosity == "none" ? nil : defaultVerbosity) }
        if let principal { settings.principal = .some(principal == "none" ? nil : principal) }
        guard !settings.isEmpty else {
            throw TokenCommandError(
                "nothing to update (use --scopes, --rpm, --tpd, --max-concurrent, --default-verbosity, --debug-capture or --principal)")
        }
        let authority = try store.openAuthority()
        let record = try TokenCommandError.wrapping { () throws(TokenAuthorityError) in
            try authority.update(idOrName: idOrName, settings: settings)
        }
        print("Updated token \(record.name) (\(record.id)):")
        print("  scopes: \(record.scopes.joined(separator: ", "))")
        print("  rpm: \(record.rateLimitRPM), tpd: \(record.rateLimitTPD), max concurrent: \(record.maxConcurrent)")
        print("  verbosity: \(record.defaultVerbosity ?? "default"), debug capture: \(record.debugCapture ? "on" : "off")")
        if let principal = record.principal { print("  principal: \(principal)") }
    }

    /// on/true/1/yes → true, off/false/0/no → false (case-insensitive), else nil.
    static func toggle(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "on", "true", "1", "yes": true
        case "off", "false", "0", "no": false
        default: nil
        }
    }
}
