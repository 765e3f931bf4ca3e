// Runs in: a worker (`ccproxy-worker`).
// Fetches remote `image_url`s when the operator enabled it (`remote_images: true`).

import CCProxyCore
import Foundation
import FoundationNetworking
import CCProxyPosix

/// Replaces `http(s)` image URLs in a request with `data:` URLs, so that the (pure) planner
/// only ever sees inline images.
///
/// Each image is fetched with a deadline (`Limits.remoteImageTimeoutSeconds`) and a size
/// bound (`Limits.maxImageBytes`, enforced while the body arrives: a huge file is cut off,
/// not buffered). The media type comes from the response's `Content-Type`; the planner then
/// checks it like any inline image. A failure is a 400 naming the part. Hosts are checked
/// by `ImageHostPolicy` before the fetch and before each redirect is followed.
enum RemoteImageFetcher {
    /// `request` with the remote images of its latest user message inlined (images of earlier
    /// messages only appear as `[image]` in the transcript, so they are never fetched).
    /// Requests without remote images are returned unchanged without any I/O.
    static func inline(_ request: ChatCompletionRequest, policy: ImageHostPolicy) async throws(APIError) -> ChatCompletionRequest {
        var request = request
        var fetched = 0
        if let messageIndex = request.messages.lastIndex(where: { !$0.role.isInstruction }),
            request.messages[messageIndex].role == .user,
            case .parts(var parts) = request.messages[messageIndex].content
        {
            var changed = false
            for partIndex in parts.indices {
                guard case .imageURL(let url) = parts[partIndex], isRemote(url) else { continue }
                let path = "messages[\(messageIndex)].content[\(partIndex)].image_url"
                fetched += 1
                guard fetched <= Limits.maxImagesPerRequest else {
                    throw APIError.invalidRequest(
                        "\(path): more than \(Limits.maxImagesPerRequest) images in one request", code: "invalid_image")
                }
                parts[partIndex] = .imageURL(try await fetch(url, path: path, policy: policy))
                changed = true
            }
            if changed { request.messages[messageIndex].content = .parts(parts) }
        }
        return request
    }

    static func isRemote(_ url: String) -> Bool {
        let lowered = url.prefix(8).lowercased()
        return lowered.hasPrefix("http://") || lowered.hasPrefix("https://")
    }

    private static func fetch(_ text: String, path: String, policy: ImageHostPolicy) async throws(APIError) -> String {
        guard let url = URL(string: text) else {
            throw APIError.invalidRequest("\(path): not a valid URL", code: "invalid_image")
        }
        if let refused = policy.refusal(for: url) {
            throw APIError.invalidRequest("\(path): could not fetch the image: \(refused.reason)", code: "invalid_image")
        }
        let result: Result<(Data, String?), ImageFetchFailure> = await withCheckedContinuation { continuation in
            let delegate = BoundedDownload(limit: Limits.maxImageBytes, policy: policy) { continuation.resume(returning: $0) }
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = Limits.remoteImageTimeoutSeconds
            configuration.timeoutIntervalForResource = Limits.remoteImageTimeoutSeconds
            let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
            session.dataTask(with: url).resume()
            session.finishTasksAndInvalidate()
        }
        switch result {
        case .success(let (data, contentType)):
            let mediaType = (contentType ?? "").split(separator: ";").first.map { String($0).trimmingWhitespace().lowercased() } ?? ""
            return "data:\(mediaType);base64," + data.base64EncodedString()
        case .failure(let failure):
            throw APIError.invalidRequest("\(path): could not fetch the image: \(failure.reason)", code: "invalid_image")
        }
    }
}

/// Why a remote image could not be had.
struct ImageFetchFailure: Error {
    var reason: String
}

/// Collects one response body up to `limit` bytes, then reports once.
private final class BoundedDownload: NSObject, URLSessionDataDelegate, Sendable {
    private struct State {
        var data = Data()
        var contentType: String?
        var failure: ImageFetchFailure?
        var reported = false
    }

    private let limit: Int
    private let policy: ImageHostPolicy
    private let state = Locked(State())
    private let report: @Sendable (Result<(Data, String?), ImageFetchFailure>) -> Void

    init(limit: Int, policy: ImageHostPolicy, report: @escaping @Sendable (Result<(Data, String?), ImageFetchFailure>) -> Void) {
        self.limit = limit
        self.policy = policy
        self.report = report
    }

    /// A redirect is followed only to a host the policy allows (else the fetch fails).
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        guard let url = request.url, let refused = policy.refusal(for: url) else {
            completionHandler(request)
            return
        }
        state.withLock { $0.failure = ImageFetchFailure(reason: "redirected: \(refused.reason)") }
        completionHandler(nil)
        task.cancel()
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            // A refused redirect arrives here as its 3xx: keep the reason it was refused.
            state.withLock { state in
                if state.failure == nil { state.failure = ImageFetchFailure(reason: "HTTP status \(http.statusCode)") }
            }
            completionHandler(.cancel)
            return
        }
        if response.expectedContentLength > Int64(limit) {
            state.withLock { $0.failure = ImageFetchFailure(reason: "larger than \(limit) bytes") }
            completionHandler(.cancel)
            return
        }
        state.withLock { $0.contentType = response.mimeType }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let over = state.withLock { state -> Bool in
            state.data.append(data)
            guard state.data.count > limit else { return false }
            state.failure = ImageFetchFailure(reason: "larger than \(limit) bytes")
            return true
        }
        if over { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let outcome = state.withLock { state -> Result<(Data, String?), ImageFetchFailure>? in
            guard !state.reported else { return nil }
            state.reported = true
            if let failure = state.failure { return .failure(failure) }
            if let error { return .failure(ImageFetchFailure(reason: error.localizedDescription)) }
            return .success((state.data, state.contentType))
        }
        if let outcome { report(outcome) }
    }
}
