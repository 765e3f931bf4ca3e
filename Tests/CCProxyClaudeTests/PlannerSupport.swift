import CCProxyClaude
import CCProxyCore
import Foundation
import Testing

/// Shared settings, requests and stdin readers for the planner tests.
enum PlannerSupport {
    /// A 1×1 PNG (valid chunks and CRCs).
    static let pngBase64 =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    /// The first bytes of a JFIF JPEG.
    static let jpegBase64 = "/9j/4AAQSkZJRgA="

    static let base = [
        "-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
        "--include-partial-messages",
    ]

    static let settings = ProxySettings(
        defaultVerbosity: .textOnly,
        defaultEffort: .medium,
        defaultClaudeModel: "opus",
        defaultPermissionMode: .bypassPermissions,
        modelVersions: ["haiku": "claude-haiku-4-5", "opus": "claude-opus-4-6"],
        models: [
            ModelAlias(
                id: "claude-code", workspace: "ws", systemPrompt: "Be brief.", effort: .high, claudeModel: "haiku",
                permissionMode: .acceptEdits),
            ModelAlias(id: "plain"),
            ModelAlias(id: "sonnet", claudeModel: "claude-sonnet-4-6"),
            ModelAlias(id: "fixed", claudeModel: "claude-opus-4-5"),
            ModelAlias(id: "poet", systemPrompt: "You are a poet.", systemPromptMode: .replace),
            ModelAlias(id: "blank-slate", systemPromptMode: .replace),
        ]
    )

    static func request(
        model: String? = "plain",
        effort: String? = nil,
        _ messages: [ChatMessage] = [.init(role: .user, content: .text("ping"))]
    ) -> ChatCompletionRequest {
        ChatCompletionRequest(model: model, messages: messages, reasoningEffort: effort)
    }

    static func plan(
        _ request: ChatCompletionRequest,
        headers: TurnHeaders = TurnHeaders(),
        settings: ProxySettings = Self.settings,
        token: String? = nil
    ) throws(APIError) -> TurnPlan {
        try TurnPlanner.plan(request: request, headers: headers, settings: settings, tokenDefaultVerbosity: token)
    }

    /// The value after `name` in the plan's argv.
    static func flag(_ name: String, in plan: TurnPlan) -> String? {
        guard let index = plan.arguments.firstIndex(of: name), index + 1 < plan.arguments.count else { return nil }
        return plan.arguments[index + 1]
    }

    /// The content blocks of the one user message line on stdin.
    static func blocks(_ bytes: [UInt8]) throws -> [[String: Any]] {
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(bytes.dropLast().contains(UInt8(ascii: "\n")) == false)
        let line = try jsonObject(bytes)
        #expect(line["type"] as? String == "user")
        let message = try #require(line["message"] as? [String: Any])
        #expect(message["role"] as? String == "user")
        return try #require(message["content"] as? [[String: Any]])
    }

    /// The text block of the user message line on stdin.
    static func stdinText(_ bytes: [UInt8]) throws -> String {
        let content = try blocks(bytes)
        #expect(content.first?["type"] as? String == "text")
        return try #require(content.first?["text"] as? String)
    }

    /// Expects `body` to throw an APIError with exactly these fields.
    static func expectError(
        status: Int = 400, message: String, code: String?, param: String?,
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(APIError) -> Void
    ) {
        do {
            try body()
            Issue.record("no error", sourceLocation: sourceLocation)
        } catch {
            #expect(error.status == status, sourceLocation: sourceLocation)
            #expect(error.message == message, sourceLocation: sourceLocation)
            #expect(error.code == code, sourceLocation: sourceLocation)
            #expect(error.param == param, sourceLocation: sourceLocation)
        }
    }

    /// Parses `bytes` with Foundation's strict parser (an independent check of the encoder).
    static func jsonObject(_ bytes: [UInt8]) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        return try #require(object as? [String: Any])
    }
}
