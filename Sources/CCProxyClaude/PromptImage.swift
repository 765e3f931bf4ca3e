import CCProxyCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An image of the latest user message, checked and ready to be sent to claude as a base64
/// content block.
struct PromptImage: Equatable {
    /// The media types the Anthropic API accepts.
    static let mediaTypes = ["image/png", "image/jpeg", "image/gif", "image/webp"]

    /// One of `mediaTypes`: the declared one, or the one the data's signature shows when the
    /// client declared another of the four (a JPEG labelled `image/png` is sent as JPEG).
    var mediaType: String
    /// Base64 data, as received (checked to decode).
    var base64: String

    /// Reads the `url` of an `image_url` part at `path` (`messages[i].content[j].image_url`).
    ///
    /// Accepted: `data:image/(png|jpeg|gif|webp);base64,<data>` whose data decodes (standard
    /// base64) to at most `Limits.maxImageBytes` bytes.
    /// - Parameter remoteImagesEnabled: `remote_images` of the configuration; the worker replaces
    ///   remote URLs by data URLs before planning, so a remote URL here was not fetched.
    /// - Throws: 400 `invalid_image` naming `path`, with `param` = `path`.
    init(url: String, path: String, remoteImagesEnabled: Bool) throws(APIError) {
        let lowered = url.prefix(8).lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            throw Self.invalid(
                path,
                remoteImagesEnabled
                    ? "the remote image could not be fetched"
                    : "remote image URLs are not enabled (config remote_images)")
        }
        guard lowered.hasPrefix("data:"), let comma = url.firstIndex(of: ",") else {
            throw Self.invalid(path, "must be a data: URL (data:image/png;base64,…) or an http(s) URL")
        }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma].lowercased()
        guard header.hasSuffix(";base64") else {
            throw Self.invalid(path, "a data: URL must be base64-encoded (data:<media type>;base64,…)")
        }
        let declared = String(header.dropLast(";base64".count))
        guard Self.mediaTypes.contains(declared) else {
            throw Self.invalid(
                path, "image type \"\(declared)\" is not supported (use \(Self.mediaTypes.joined(separator: ", ")))")
        }
        let base64 = String(url[url.index(after: comma)...])
        // Cheap bound before decoding: 4 base64 characters carry 3 bytes.
        guard base64.utf8.count / 4 * 3 <= Limits.maxImageBytes + 3 else {
            throw Self.invalid(path, "the image is larger than \(Limits.maxImageBytes) bytes")
        }
        guard let data = Data(base64Encoded: base64), !data.isEmpty else {
            throw Self.invalid(path, "the image data is not valid base64")
        }
        guard data.count <= Limits.maxImageBytes else {
            throw Self.invalid(path, "the image is larger than \(Limits.maxImageBytes) bytes")
        }
        self.mediaType = Self.sniffedMediaType(data) ?? declared
        self.base64 = base64
    }

    /// The media type the data's leading bytes identify, or nil when they match none of
    /// `mediaTypes`.
    static func sniffedMediaType(_ data: Data) -> String? {
        let head = [UInt8](data.prefix(12))
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + signature.count && Array(head[offset..<offset + signature.count]) == signature
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
        return nil
    }

    private static func invalid(_ path: String, _ reason: String) -> APIError {
        APIError.invalidRequest("\(path): \(reason)", code: "invalid_image", param: path)
    }
}
