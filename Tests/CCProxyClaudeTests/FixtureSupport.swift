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

    struct Run {
        var chunks: [ChatCompletionChunk]
        var terminal: ChatCompletionChunk
        var translator: ChunkTranslator
        var text: String { chunks.compactMap(\.delta.content).joined() }
    }

    static func translate(_ events: [ClaudeEvent], exitDescription: String? = nil) -> Run {
        var translator = ChunkTranslator(completionID: "chatcmpl-test", model: "m", created: 1_700_000_000)
        var chunks: [ChatCompletionChunk] = []
        for event in events { chunks += translator.consume(event) }
        let terminal = translator.finish(exitDescription: exitDescription)
        return Run(chunks: chunks, terminal: terminal, translator: translator)
    }

    static func translate(fixture name: String, exitDescription: String? = nil) throws -> Run {
        translate(try events(name), exitDescription: exitDescription)
    }

    /// Parses `bytes` with Foundation's strict parser (an independent check of our encoders).
    static func jsonObject(_ bytes: [UInt8]) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(bytes))
        return try #require(object as? [String: Any])
    }
}
