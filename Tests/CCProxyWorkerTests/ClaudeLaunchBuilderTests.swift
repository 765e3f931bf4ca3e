// What the worker spawns for a turn: claude inside bwrap (or alone with `isolation: none`),
// with the allow-listed environment and the owner's own claude home.

import CCProxyCore
import Foundation
import Glibc
import Testing

@testable import CCProxyWorker

@Suite struct ClaudeLaunchBuilderTests {
    let state = NSTemporaryDirectory() + "ccproxy-launch-tests-" + UUID().uuidString
    let server = ["PATH=/usr/bin:/bin", "CCPROXY_STATE=/s", "ANTHROPIC_API_KEY=k", "HOME=/root", "NOTIFY_SOCKET=/n"]

    func settings(_ isolation: IsolationMode) -> ProxySettings {
        ProxySettings(
            claudeBinary: "/bin/true", stateDirectory: state,
            workspaces: ["mine": WorkspaceSettings(path: "/srv/mine"), "other": WorkspaceSettings(path: "/srv/other")],
            isolation: isolation, operatorHome: "/home/op")
    }

    func workspace() throws -> TurnWorkspace {
        try TurnWorkspace.create(stateDirectory: state, configuredPath: nil, systemPrompt: "be brief")
    }

    @Test func sandboxedLaunchRunsClaudeInsideBwrapWithTheOwnersHome() throws {
        defer { try? FileManager.default.removeItem(atPath: state) }
        let ws = try workspace()
        let launch = try ClaudeLaunchBuilder(settings: settings(.namespaces), serverEnvironment: server).launch(
            arguments: ["-p"], workspace: ws, ownerDirectoryName: "t-abc", grantedWorkspacePath: nil)
        let home = state + "/homes/t-abc"
        #expect(launch.executable == "bwrap")
        #expect(launch.arguments.suffix(3) == ["--", "/bin/true", "-p"])
        #expect(launch.arguments.contains("/srv/other") && launch.arguments.contains("/srv/mine"))
        #expect(launch.arguments.contains(try #require(ws.systemPromptFile)))
        #expect(launch.arguments.contains("/home/op/.claude/settings.json"))
        #expect(launch.environment == [
            "PATH=/usr/bin:/bin", "ANTHROPIC_API_KEY=k", "HOME=" + home, "CLAUDE_CONFIG_DIR=" + home, "TMPDIR=/tmp",
        ])
        var info = stat()
        #expect(stat(home, &info) == 0 && info.st_mode & 0o777 == 0o700)
        #expect(stat(state + "/homes", &info) == 0 && info.st_mode & 0o777 == 0o700)
    }

    @Test func theGrantedWorkspaceIsNotHidden() throws {
        defer { try? FileManager.default.removeItem(atPath: state) }
        let launch = try ClaudeLaunchBuilder(settings: settings(.namespaces), serverEnvironment: server).launch(
            arguments: [], workspace: try workspace(), ownerDirectoryName: "t-abc", grantedWorkspacePath: "/srv/mine")
        let hidden = launch.arguments.indices.filter { launch.arguments[$0] == "--tmpfs" }.map { launch.arguments[$0 + 1] }
        #expect(hidden == [state, "/srv/other"])
    }

    @Test func unconfinedLaunchIsClaudeItselfWithTheSameEnvironment() throws {
        defer { try? FileManager.default.removeItem(atPath: state) }
        let ws = try workspace()
        let launch = try ClaudeLaunchBuilder(settings: settings(.none), serverEnvironment: server).launch(
            arguments: ["-p"], workspace: ws, ownerDirectoryName: "p-6f", grantedWorkspacePath: nil)
        let home = state + "/homes/p-6f"
        #expect(launch.executable == "/bin/true" && launch.arguments == ["-p"])
        #expect(launch.workingDirectory == ws.workingDirectory)
        #expect(launch.environment.contains("TMPDIR=" + ws.temporaryDirectory))
        #expect(launch.environment.contains("HOME=" + home))
        #expect(!launch.environment.contains { $0.hasPrefix("CCPROXY_") || $0.hasPrefix("NOTIFY_") })
    }

    @Test func aClaudeThatCannotRunIsAStartError() throws {
        defer { try? FileManager.default.removeItem(atPath: state) }
        var s = settings(.namespaces)
        s.claudeBinary = "/nonexistent/claude"
        #expect(throws: ClaudeStartError.self) {
            _ = try ClaudeLaunchBuilder(settings: s, serverEnvironment: server).launch(
                arguments: [], workspace: try workspace(), ownerDirectoryName: "t-abc", grantedWorkspacePath: nil)
        }
    }
}
