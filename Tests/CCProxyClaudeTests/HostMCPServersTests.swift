import CCProxyCore
import Foundation
import Testing

/// The operator's MCP servers, extracted from `~/.claude.json` for every turn.
@Suite struct HostMCPServersTests {
    func configuration(_ text: String) throws(HostMCPServers.Problem) -> String? {
        try HostMCPServers.configuration(fromClaudeJSON: Data(text.utf8))
    }

    @Test func onlyTheServerDefinitionsAreTaken() throws {
        let claudeJSON = """
            {"numStartups": 12, "projects": {"/home/op/secret": {"history": ["private"]}},
             "mcpServers": {"files": {"type": "stdio", "command": "/usr/bin/mcp-files", "args": ["--ro"], "env": {"A": "1"}}}}
            """
        let document = try #require(try configuration(claudeJSON))
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        #expect(Set(decoded.keys) == ["mcpServers"], "claude's history and counters stay out of the turn")
        let servers = try #require(decoded["mcpServers"] as? [String: Any])
        let files = try #require(servers["files"] as? [String: Any])
        #expect(files["command"] as? String == "/usr/bin/mcp-files")
        #expect(files["args"] as? [String] == ["--ro"])
        #expect(!document.contains("private"))
    }

    @Test func noServersMeansNoFile() throws {
        #expect(try configuration(#"{"numStartups": 1}"#) == nil)
        #expect(try configuration(#"{"mcpServers": {}}"#) == nil)
    }

    @Test func malformedFilesAreProblemsNotCrashes() {
        #expect(throws: HostMCPServers.Problem.notAnObject) { try configuration("[1, 2]") }
        #expect(throws: HostMCPServers.Problem.notAnObject) { try configuration("{not json") }
        #expect(throws: HostMCPServers.Problem.malformedServers) { try configuration(#"{"mcpServers": ["x"]}"#) }
        #expect(throws: HostMCPServers.Problem.malformedServers) { try configuration(#"{"mcpServers": {"x": 1}}"#) }
    }

    @Test func definitionsAreBounded() {
        let huge = String(repeating: "a", count: Limits.maxHostMCPConfigBytes)
        #expect(throws: HostMCPServers.Problem.self) {
            try configuration(#"{"mcpServers": {"x": {"command": "\#(huge)"}}}"#)
        }
    }
}
