// Runs in: a worker (`ccproxy-worker`).

import CCProxyCore
import CCProxyPosix
import Foundation

/// Where a remote image may come from: unless `remote_images_allow_private` is set, every
/// address the URL's host resolves to must be public (`IPAddress.isNonPublic`), for the URL
/// itself and for each redirect. This keeps `remote_images` from reaching the server's own
/// loopback services, the cloud metadata endpoint or the operator's network. The check
/// resolves the name before the fetch resolves it again; a DNS answer that changes in
/// between is not caught (documented with the key).
struct ImageHostPolicy: Sendable {
    let allowPrivate: Bool

    /// Why `url` may not be fetched, or nil when it may.
    func refusal(for url: URL) -> ImageFetchFailure? {
        guard !allowPrivate else { return nil }
        guard var host = url.host, !host.isEmpty else { return ImageFetchFailure(reason: "the URL has no host") }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let addresses: [[UInt8]]
        do {
            addresses = try HostResolver.addresses(of: host)
        } catch {
            return ImageFetchFailure(reason: "\(error)")
        }
        guard !addresses.isEmpty else { return ImageFetchFailure(reason: "\(host) has no address") }
        if let inside = addresses.compactMap(IPAddress.init(bytes:)).first(where: \.isNonPublic) {
            return ImageFetchFailure(
                reason: "\(host) is a non-public address (\(inside)); the server does not fetch from its own network "
                    + "(config remote_images_allow_private)")
        }
        return nil
    }
}
