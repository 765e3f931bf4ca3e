import CCProxyCore

/// Builds what claude reads on stdin under `--input-format stream-json`.
enum StreamJSONInput {
    /// One user message line (with its `"\n"`): a text block (omitted when `text` is empty and
    /// there are images), then one base64 image block per image.
    static func userMessage(text: String, images: [PromptImage]) -> [UInt8] {
        var blocks: [String] = []
        if !text.isEmpty || images.isEmpty {
            blocks.append("{\"type\":\"text\",\"text\":" + JSONString.quote(text) + "}")
        }
        for image in images {
            blocks.append(
                "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":"
                    + JSONString.quote(image.mediaType) + ",\"data\":" + JSONString.quote(image.base64) + "}}"
            )
        }
        let line =
            "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":["
            + blocks.joined(separator: ",") + "]}}\n"
        return Array(line.utf8)
    }
}
