import ArgumentParser
import CCProxyAuth

/// `ccproxy token update`: change a token's settings in place.
struct TokenUpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a token's settings (currently: debug capture).")

    @Argument(help: ArgumentHelp("The token's id, or its name if no other token has it.", valueName: "id-or-name"))
    var idOrName: String

    @Option(help: ArgumentHelp("Capture this token's requests: on or off (also true/false, 1/0, yes/no).", valueName: "on|off"))
    var debugCapture: String?

    @OptionGroup var store: TokenStoreOptions

    func run() throws {
        guard let debugCapture else { throw TokenCommandError("nothing to update (use --debug-capture on|off)") }
        guard let enabled = Self.toggle(debugCapture) else {
            throw TokenCommandError("--debug-capture must be on or off, not \"\(debugCapture)\"")
        }
        let authority = try store.openAuthority()
        let record = try TokenCommandError.wrapping { () throws(TokenAuthorityError) in
            try authority.update(idOrName: idOrName, debugCapture: enabled)
        }
        print("Updated token \(record.name) (\(record.id)): debug capture \(enabled ? "on" : "off").")
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
