// The options of the token commands, shared by `ccproxy token …` and `ccproxyctl token …`
// so that both take exactly the same ones, and the admin requests they make.

public import ArgumentParser
public import CCProxyWire

/// `token create`'s settings.
public struct TokenCreateOptions: ParsableArguments {
    @Option(help: "A label for the token (not necessarily unique).")
    public var name: String

    @Option(help: ArgumentHelp(
        "Comma-separated scopes: chat, session:persistent, admin, workspace:*, workspace:<name>, bridge:connect.",
        valueName: "list"))
    public var scopes: String = "chat"

    @Option(help: ArgumentHelp("Lifetime, e.g. 90d, 24h, 30m, 1h30m. Default: no expiry.", valueName: "duration"))
    public var ttl: String?

    @Option(help: "Requests per minute (0 = unlimited).")
    public var rpm: Int = 0

    @Option(help: "Tokens per UTC day (0 = unlimited).")
    public var tpd: Int = 0

    @Option(help: "Turns in progress at once (0 = unlimited).")
    public var maxConcurrent: Int = 0

    @Option(help: ArgumentHelp("Verbosity override: text-only, verbose or narrated.", valueName: "mode"))
    public var defaultVerbosity: String?

    @Flag(help: "Capture this token's requests for debugging.")
    public var debugCapture = false

    @Option(help: ArgumentHelp("The bridge principal this token acts for.", valueName: "id"))
    public var principal: String?

    @Flag(help: "Also grant bridge:connect.")
    public var bridge = false

    public init() {}

    public var request: AdminRequest {
        .tokenCreate(
            TokenCreateRequest(
                name: name, scopes: scopes, ttl: ttl, rpm: Int64(rpm), tpd: Int64(tpd), maxConcurrent: Int64(maxConcurrent),
                defaultVerbosity: defaultVerbosity, debugCapture: debugCapture, principal: principal, bridge: bridge))
    }
}

/// `token update`'s settings; those not given are kept.
public struct TokenUpdateOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Comma-separated scopes, replacing the current ones: chat, session:persistent, admin, workspace:*, workspace:<name>, bridge:connect.",
        valueName: "list"))
    public var scopes: String?

    @Option(help: "Requests per minute (0 = unlimited).")
    public var rpm: Int?

    @Option(help: "Tokens per UTC day (0 = unlimited).")
    public var tpd: Int?

    @Option(help: "Turns in progress at once (0 = unlimited).")
    public var maxConcurrent: Int?

    @Option(help: ArgumentHelp("Verbosity override: text-only, verbose, narrated, or none to clear.", valueName: "mode"))
    public var defaultVerbosity: String?

    @Option(help: ArgumentHelp("Capture this token's requests: on or off (also true/false, 1/0, yes/no).", valueName: "on|off"))
    public var debugCapture: String?

    @Option(help: ArgumentHelp("The bridge principal this token acts for, or none to clear.", valueName: "id"))
    public var principal: String?

    public init() {}

    /// The update of token `idOrName`.
    /// - Throws: a message for an unreadable `--debug-capture` or when nothing is to change.
    public func request(idOrName: String) throws(TokenOptionsError) -> AdminRequest {
        var update = TokenUpdateRequest(
            idOrName: idOrName, scopes: scopes, rpm: rpm.map(Int64.init), tpd: tpd.map(Int64.init),
            maxConcurrent: maxConcurrent.map(Int64.init))
        if let debugCapture {
            guard let enabled = Self.toggle(debugCapture) else {
                throw TokenOptionsError(description: "--debug-capture must be on or off, not \"\(debugCapture)\"")
            }
            update.debugCapture = enabled
        }
        if let defaultVerbosity { update.defaultVerbosity = defaultVerbosity == "none" ? .clear : .set(defaultVerbosity) }
        if let principal { update.principal = principal == "none" ? .clear : .set(principal) }
        let nothing = TokenUpdateRequest(idOrName: idOrName)
        guard update != nothing else {
            throw TokenOptionsError(
                description:
                    "nothing to update (use --scopes, --rpm, --tpd, --max-concurrent, --default-verbosity, --debug-capture or --principal)"
            )
        }
        return .tokenUpdate(update)
    }

    /// on/true/1/yes → true, off/false/0/no → false (case-insensitive), else nil.
    public static func toggle(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "on", "true", "1", "yes": true
        case "off", "false", "0", "no": false
        default: nil
        }
    }
}

/// A token command's options cannot make a request; the message says why.
public struct TokenOptionsError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// `--json` of every token command.
public struct TokenOutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of text (create and rotate: the bearer is in it).")
    public var json = false

    public init() {}

    /// What to print for `reply`, or the error message when the reply is an error or does
    /// not answer the request.
    public func render(_ reply: AdminReply) throws -> Result<String, TokenOptionsError> {
        switch reply {
        case .tokenCreated(let report, let bearer):
            return .success(json ? try TokenOutput.json(report, bearer: bearer) : TokenOutput.created(report, bearer: bearer))
        case .tokenRotated(let report, let bearer):
            return .success(json ? try TokenOutput.json(report, bearer: bearer) : TokenOutput.rotated(report, bearer: bearer))
        case .tokens(let reports):
            return .success(json ? try TokenOutput.json(reports) : TokenOutput.table(reports))
        case .tokenRevoked(let report):
            return .success(json ? try TokenOutput.json(report) : TokenOutput.revoked(report))
        case .tokenUpdated(let report):
            return .success(json ? try TokenOutput.json(report) : TokenOutput.updated(report))
        case .error(let message):
            return .failure(TokenOptionsError(description: message))
        case .status, .reloaded, .sessions, .sessionsEnded, .bridges:
            return .failure(TokenOptionsError(description: "unexpected reply from the server"))
        }
    }
}
