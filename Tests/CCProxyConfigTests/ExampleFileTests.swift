import CCProxyConfig
import CCProxyCore
import Foundation
import Testing

/// `deploy/config.yaml.example` must stay a valid configuration that documents the defaults.
@Suite struct ExampleFileTests {
    /// `<repository>/deploy/config.yaml.example`, found from this file's location.
    static let examplePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/config.yaml.example").path

    static func exampleText() throws -> String {
        try String(contentsOfFile: examplePath, encoding: .utf8)
    }

    @Test func exampleLoadsAsTheDefaults() throws {
        let configuration = try ConfigurationLoader.load(path: Self.examplePath, environment: [:], currentDirectory: "/")
        var expected = Configuration()
        expected.sourcePath = Self.examplePath
        #expect(configuration == expected)
    }

    /// The commented `# Example:` blocks, uncommented, form a valid configuration too.
    @Test func commentedExamplesAreValid() throws {
        var uncommented: [String] = []
        var inExample = false
        for line in try Self.exampleText().split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "# Example:" {
                inExample = true
            } else if inExample, line.hasPrefix("# ") {
                uncommented.append(String(line.dropFirst(2)))
            } else {
                inExample = false
            }
        }
        let configuration = try parse(uncommented.joined(separator: "\n"))
        #expect(configuration.modelVersions["sonnet"] == "claude-sonnet-4-6")
        #expect(configuration.workspaces["ccproxy"]?.path == "/srv/src/ccproxy")
        #expect(configuration.models.map(\.id) == ["claude-code", "notes"])
        #expect(configuration.models.first?.workspace == "ccproxy")
    }

    @Test func exampleMentionsEveryKey() throws {
        let text = try Self.exampleText()
        let keys = [
            "listen", "metrics_listen", "state_dir", "claude_binary", "default_verbosity", "default_effort",
            "default_claude_model", "default_permission_mode", "allow_passthrough_models", "model_versions",
            "session_ttl", "request_timeout", "workspaces", "models", "workers", "min_idle", "max",
            "max_requests", "path", "description", "id", "workspace", "system_prompt", "effort", "claude_model",
            "permission_mode", "system_prompt_mode", "cors_origins", "stream_keepalive", "remote_images",
        ]
        for key in keys {
            #expect(text.contains("\(key):"), "the example does not show \(key)")
        }
    }
}
