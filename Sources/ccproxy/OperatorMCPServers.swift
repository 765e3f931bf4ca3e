// Runs in: the supervisor (`ccproxy serve`), at start and on reload.

import CCProxyCore
import Foundation
import Logging

/// Reads the operator's MCP server definitions from `<home>/.claude.json` for every turn
/// (`HostMCPServers` says why they are extracted rather than bound). A missing file means no
/// servers; an unreadable or malformed one is logged and offers none, so that a broken
/// `~/.claude.json` never stops the server.
enum OperatorMCPServers {
    static func read(home: String?, logger: Logger) -> String? {
        guard let home else { return nil }
        let path = home + "/.claude.json"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let contents: Data
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            guard size <= Limits.maxOperatorClaudeJSONBytes else {
                logger.warning(
                    "the operator's ~/.claude.json is too large; its MCP servers are not offered to turns",
                    metadata: ["path": "\(path)", "bytes": "\(size)"])
                return nil
            }
            contents = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            logger.warning("could not read the operator's ~/.claude.json; no MCP servers offered", metadata: ["path": "\(path)", "error": "\(error)"])
            return nil
        }
        do {
            guard let configuration = try HostMCPServers.configuration(fromClaudeJSON: contents) else { return nil }
            logger.info("the operator's MCP servers are offered to every turn", metadata: ["path": "\(path)"])
            return configuration
        } catch {
            logger.warning("the operator's ~/.claude.json is not usable; no MCP servers offered", metadata: ["path": "\(path)", "problem": "\(error)"])
            return nil
        }
    }
}
