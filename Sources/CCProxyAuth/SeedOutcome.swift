/// What `TokenAuthority.seedIfEmpty(environmentToken:)` did at server start.
public enum SeedOutcome: Sendable, Equatable {
    /// The registry already held tokens; nothing was done.
    case populated
    /// The `CCPROXY_TOKEN` bearer was stored under this name (scope `chat`, no expiry).
    case seeded(name: String)
    /// No token was given: a new bearer was minted; print it once with ``firstBootBanner(bearer:)``.
    case minted(bearer: String)
    /// `CCPROXY_TOKEN` was set but is not a ccproxy bearer; the registry stays empty.
    case invalidSeed

    /// Name of a token seeded from `CCPROXY_TOKEN`.
    public static let seededName = "seed (CCPROXY_TOKEN)"
    /// Name of a token minted on first boot.
    public static let mintedName = "auto-seed (first boot)"

    /// What to log at info (`.seeded`) or warning (`.invalidSeed`) level; nil otherwise.
    public var logMessage: String? {
        switch self {
        case .populated, .minted: nil
        case .seeded: "seeded token DB from CCPROXY_TOKEN; rotate at your earliest convenience"
        case .invalidSeed: "could not seed token DB from CCPROXY_TOKEN; create one with `ccproxy token create`"
        }
    }

    /// The block written raw to stderr (not through the logger) when a bearer was minted.
    public static func firstBootBanner(bearer: String) -> String {
        let bar = String(repeating: "=", count: 72)
        return """

            \(bar)
              ccproxy: no tokens in store \u{2014} auto-minted a first bearer.
              name:   \(mintedName)
              bearer: \(bearer)
              COPY THIS NOW \u{2014} it is not recoverable. Rotate via `ccproxy token`.
            \(bar)


            """
    }
}
