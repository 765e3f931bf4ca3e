import CCProxyClaude
import CCProxyCore
import Foundation
import Testing

/// Loads recorded stream-json and runs it through the whole read path.
enum FixtureSupport {
    static var directory: URL {
        get throws {
            try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures")
        }
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: try directory.appendingPathComponent(name)))
    }

    static func allNDJSONFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: try directory.path)
            .filter { $0.hasSuffix(".ndjson") }
            .sorted()
    }

    /// Splits `bytes` into lines, feeding the splitter `pieceSize` bytes at a time.
    static func lines(_ bytes: [UInt8], pieceSize: Int = 97) throws -> [[UInt8]] {
        var splitter = LineSplitter(maxLineBytes: Limits.maxStreamJSONLineBytes)
        var lines: [[UInt8]] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + pieceSize, bytes.count)
            lines += try splitter.append(bytes[start..<end])
            start = end
        }
        if let last = splitter.finish() { lines.append(last) }
        return lines
    }

    static func events(_ name: String) throws -> [ClaudeEvent] {
        try lines(try bytes(name)).map { ClaudeEventDecoder.decode(line: $0) }
    }

    /// What a renderer made of a turn: every delta in order, and each channel joined (what a
    /// non-streaming answer carries).
    struct Rendering {
        var deltas: [TurnDelta]
        var content: String {
            deltas.map { if case .content(let text) = $0 { text } else { "" } }.joined()
        }
        var reasoning: String {
            deltas.map { if case .reasoning(let text) = $0 { text } else { "" } }.joined()
        }
    }

    static func render(_ events: [ClaudeEvent], _ options: RenderOptions) -> Rendering {
        var renderer = TurnRenderer(options: options)
        return Rendering(deltas: events.flatMap { renderer.consume($0) })
    }

    static func render(
        fixture name: String, _ verbosity: Verbosity, includeReasoning: Bool = false
    ) throws -> Rendering {
        render(try events(name), RenderOptions(verbosity: verbosity, includeReasoning: includeReasoning))
    }

    static func track(_ events: [ClaudeEvent]) -> TurnOutcomeTracker {
        var tracker = TurnOutcomeTracker()
        for event in events { tracker.consume(event) }
        return tracker
    }

    /// Parses `bytes` with Foundation's strict parser (an independent check of our encoders).
    static func jsonObject(_ bytes: [UInt8]) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        return try #require(object as? [String: Any])
    }
}
