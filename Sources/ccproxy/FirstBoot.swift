import CCProxyAuth
import Foundation
import Logging

/// First start with an empty token database: store `$CCPROXY_TOKEN`, or mint a bearer and
/// print it once on stderr (raw, not through the logger, so that it stays readable).
enum FirstBoot {
    /// - Throws: when the database cannot be read or written: serving without a way to
    ///   authenticate anyone would only hide the problem.
    static func seed(_ authority: TokenAuthority, environment: [String: String], logger: Logger) throws {
        let seed = environment["CCPROXY_TOKEN"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        let outcome = try authority.checkedSeedIfEmpty(environmentToken: (seed?.isEmpty ?? true) ? nil : seed)
        switch outcome {
        case .populated:
            break
        case .seeded(let name):
            logger.notice("\(outcome.logMessage ?? "seeded")", metadata: ["name": "\(name)"])
        case .invalidSeed:
            logger.warning("\(outcome.logMessage ?? "invalid CCPROXY_TOKEN")")
        case .minted(let bearer):
            FileHandle.standardError.write(Data(SeedOutcome.firstBootBanner(bearer: bearer).utf8))
        }
    }
}
