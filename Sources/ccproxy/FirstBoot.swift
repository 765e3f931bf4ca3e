import CCProxyAuth
import Foundation
import Logging

/// First start with an empty token database: store `$CCPROXY_TOKEN`, or mint a bearer and
/// print it once on stderr (raw, not through the logger, so that it stays readable).
enum FirstBoot {
    static func seed(_ authority: TokenAuthority, environment: [String: String], logger: Logger) {
        let seed = environment["CCPROXY_TOKEN"]?.trimmingCharacters(in: .whitespacesAndNewlines)
        switch authority.seedIfEmpty(environmentToken: (seed?.isEmpty ?? true) ? nil : seed) {
        case .populated:
            break
        case .seeded(let name):
            logger.notice("seeded the token database from CCPROXY_TOKEN; rotate it at your earliest convenience", metadata: ["name": "\(name)"])
        case .invalidSeed:
            logger.warning("CCPROXY_TOKEN is not a ccp_<8hex>_<24hex> bearer, ignoring; create a token with `ccproxy token create`")
        case .minted(let bearer):
            let bar = String(repeating: "=", count: 72)
            let banner = """

                \(bar)
                  ccproxy: no tokens in store — auto-minted a first bearer.
                  name:   auto-seed (first boot)
                  bearer: \(bearer)
                  COPY THIS NOW — it is not recoverable. Rotate via `ccproxy token`.
                \(bar)


                """
            FileHandle.standardError.write(Data(banner.utf8))
        }
    }
}
