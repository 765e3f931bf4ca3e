import CCProxyAuth
import CCProxyPosix
import CCProxySystemd
import Foundation
import Logging

/// First start with an empty token database: store `$CCPROXY_TOKEN`, or mint a bearer and
/// print it once on stderr (raw, not through the logger, so that it stays readable). Under
/// journald stderr is the journal, readable by more than the operator and kept for a long
/// time: there the bearer goes to a 0600 file in the state directory instead, and the log
/// names the file, never the secret.
enum FirstBoot {
    /// The file the first bearer is written to under journald.
    static func tokenFile(stateDirectory: String) -> String { stateDirectory + "/first-boot-token" }

    /// - Throws: when the database cannot be read or written: serving without a way to
    ///   authenticate anyone would only hide the problem.
    static func seed(_ authority: TokenAuthority, environment: [String: String], stateDirectory: String, logger: Logger) throws {
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
            guard LogSetup.stderrIsJournal(environment: environment) else {
                FileHandle.standardError.write(Data(SeedOutcome.firstBootBanner(bearer: bearer).utf8))
                return
            }
            let path = tokenFile(stateDirectory: stateDirectory)
            try SecretFile.write(path: path, bytes: Array((bearer + "\n").utf8))
            logger.notice(
                "first start: minted a bearer token and wrote it to a file readable only by this user; read it, then delete the file",
                metadata: ["file": "\(path)"])
        }
    }
}
