import CCProxyCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Builds what claude reads on stdin under `--input-format stream-json`.
enum StreamJSONInput {
    /// One user message line (with its `"\n"`):
    /// `{"type":"user","message":{"role":"user","content":[…]}}` (keys sorted), holding a text
    /// block (omitted when `text` is empty and there are images), then one base64 image block
    /// per image.
    /// - Throws: 500 if the encoder fails (it cannot for these string-only values).
    static func userMessage(text: String, images: [PromptImage]) throws(APIError) -> [UInt8] {
        var blocks: [Block] = []
        if !text.isEmpty || images.isEmpty { blocks.append(.text(text)) }
        for image in images { blocks.append(.image(mediaType: image.mediaType, data: image.base64)) }
        let line = Line(message: Message(content: blocks))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(line)) + [UInt8(ascii: "\n")]
        } catch {
            throw APIError.serverError("could not encode the prompt: \(error)")
        }
    }

    private struct Line: Encodable {
        var type = "user"
        var message: Message
    }

    private struct Message: Encodable {
        var role = "user"
        var content: [Block]
    }

    private enum Block: Encodable {
        case text(String)
        case image(mediaType: String, data: String)

        private enum Keys: String, CodingKey { case type, text, source }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            switch self {
            case .text(let text):
                try container.encode("text", forKey: .type)
                try container.encode(text, forKey: .text)
            case .image(let mediaType, let data):
                try container.encode("image", forKey: .type)
                try container.encode(ImageSource(mediaType: mediaType, data: data), forKey: .source)
            }
        }
    }

    private struct ImageSource: Encodable {
        var type = "base64"
        var mediaType: String
        var data: String

        private enum CodingKeys: String, CodingKey {
            case type
            case mediaType = "media_type"
            case data
        }
    }
}
