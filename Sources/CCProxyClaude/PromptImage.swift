import CCProxyCore

/// An image sent to claude as a base64 content block.
struct PromptImage: Equatable {
    /// The media types the Anthropic API accepts.
    static let mediaTypes = ["image/png", "image/jpeg", "image/gif", "image/webp"]

    var mediaType: String
    /// Base64 data, as received.
    var base64: String

    /// Reads `data:<media type>;base64,<data>`.
    /// - Throws: 400 for remote URLs, other encodings and unsupported media types.
    init(dataURL url: String) throws(APIError) {
        guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ",") else {
            throw APIError.invalidRequest("image_url must be a data: URL (remote image URLs are not supported)")
        }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma]
        guard header.hasSuffix(";base64") else {
            throw APIError.invalidRequest("image_url data: URLs must be base64-encoded")
        }
        let mediaType = String(header.dropLast(";base64".count)).lowercased()
        guard Self.mediaTypes.contains(mediaType) else {
            throw APIError.invalidRequest(
                "image type \"\(mediaType)\" is not supported (use \(Self.mediaTypes.joined(separator: ", ")))"
            )
        }
        self.mediaType = mediaType
        self.base64 = String(url[url.index(after: comma)...])
    }
}
