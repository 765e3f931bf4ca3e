import CCProxyClaude
import CCProxyCore
import Foundation
import Testing

/// Images of the latest user message: checked, then sent as base64 blocks.
@Suite("TurnPlanner images")
struct TurnPlannerImageTests {
    typealias S = PlannerSupport

    private func plan(_ parts: [ContentPart], remoteImages: Bool = false) throws(APIError) -> TurnPlan {
        var settings = S.settings
        settings.remoteImages = remoteImages
        return try S.plan(
            S.request([.init(role: .user, content: .text("earlier")), .init(role: .user, content: .parts(parts))]),
            settings: settings)
    }

    private func expectImageError(
        _ parts: [ContentPart], part: Int, reason: String, remoteImages: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let path = "messages[1].content[\(part)].image_url"
        S.expectError(message: "\(path): \(reason)", code: "invalid_image", param: path, sourceLocation: sourceLocation) {
            () throws(APIError) in _ = try plan(parts, remoteImages: remoteImages)
        }
    }

    @Test("a 1×1 PNG becomes an image block after the text block")
    func png() throws {
        let plan = try plan([.text("what is this?"), .imageURL("data:image/png;base64," + S.pngBase64)])
        let blocks = try S.blocks(plan.standardInput)
        #expect(blocks.count == 2)
        #expect(blocks[0]["type"] as? String == "text")
        #expect(blocks[0]["text"] as? String == "Conversation so far:\n\n[user]\nearlier\n\nLatest user message:\nwhat is this?")
        #expect(blocks[1]["type"] as? String == "image")
        #expect(blocks[1]["source"] as? [String: String] == ["type": "base64", "media_type": "image/png", "data": S.pngBase64])
        let resume = try S.blocks(plan.resumeStandardInput)
        #expect(resume.count == 2)
        #expect(resume[0]["text"] as? String == "what is this?")
    }

    @Test("an image alone: no text block; upper-case media types are accepted")
    func imageOnly() throws {
        let plan = try plan([.imageURL("DATA:IMAGE/PNG;BASE64," + S.pngBase64)])
        let blocks = try S.blocks(plan.resumeStandardInput)
        #expect(blocks.count == 1)
        #expect((blocks[0]["source"] as? [String: String])?["media_type"] == "image/png")
    }

    @Test("the data's signature corrects a mislabelled media type; unknown data keeps the label")
    func sniffing() throws {
        let plan = try plan([
            .imageURL("data:image/png;base64," + S.jpegBase64), .imageURL("data:image/webp;base64,AAAA"),
        ])
        let blocks = try S.blocks(plan.resumeStandardInput)
        #expect((blocks[0]["source"] as? [String: String])?["media_type"] == "image/jpeg")
        #expect((blocks[1]["source"] as? [String: String])?["media_type"] == "image/webp")
    }

    @Test("bad base64 is a 400 naming the part")
    func badBase64() {
        for data in ["not base64!", "AAA", "", "AA AA"] {
            expectImageError(
                [.text("x"), .imageURL("data:image/png;base64," + data)], part: 1,
                reason: "the image data is not valid base64")
        }
    }

    @Test("another media type or encoding is a 400 naming the part")
    func wrongMediaType() {
        for type in ["image/tiff", "image/svg+xml", "text/plain", "image/jpg"] {
            expectImageError(
                [.imageURL("data:\(type);base64," + S.pngBase64)], part: 0,
                reason: "image type \"\(type)\" is not supported (use image/png, image/jpeg, image/gif, image/webp)")
        }
        expectImageError(
            [.imageURL("data:image/png," + S.pngBase64)], part: 0,
            reason: "a data: URL must be base64-encoded (data:<media type>;base64,…)")
        for url in ["file:///etc/passwd", "ftp://x/y.png", "iVBORw0KGgo", "data:image/png;base64"] {
            expectImageError(
                [.imageURL(url)], part: 0, reason: "must be a data: URL (data:image/png;base64,…) or an http(s) URL")
        }
    }

    @Test("an image of exactly the limit is accepted; one byte more is refused")
    func size() throws {
        let atLimit = Data(count: Limits.maxImageBytes).base64EncodedString()
        #expect(try plan([.imageURL("data:image/gif;base64," + atLimit)]).standardInput.count > atLimit.utf8.count)
        let over = Data(count: Limits.maxImageBytes + 1).base64EncodedString()
        expectImageError(
            [.text("x"), .imageURL("data:image/gif;base64," + over)], part: 1,
            reason: "the image is larger than 5242880 bytes")
        let wayOver = Data(count: Limits.maxImageBytes * 2).base64EncodedString()
        expectImageError(
            [.imageURL("data:image/gif;base64," + wayOver)], part: 0, reason: "the image is larger than 5242880 bytes")
    }

    @Test("at most 20 images; the 21st is named")
    func count() throws {
        let image = ContentPart.imageURL("data:image/png;base64," + S.pngBase64)
        let twenty = [ContentPart.text("many")] + Array(repeating: image, count: 20)
        #expect(try S.blocks(plan(twenty).standardInput).count == 21)
        expectImageError(twenty + [image], part: 21, reason: "more than 20 images in one request")
    }

    @Test("remote URLs: refused unless remote_images; even then the planner never fetches")
    func remote() {
        for url in ["https://x.example/cat.png", "http://x.example/cat.png", "HTTPS://X.EXAMPLE/C.PNG"] {
            expectImageError(
                [.text("see"), .imageURL(url)], part: 1, reason: "remote image URLs are not enabled (config remote_images)")
            expectImageError(
                [.text("see"), .imageURL(url)], part: 1, reason: "the remote image could not be fetched",
                remoteImages: true)
        }
    }
}
