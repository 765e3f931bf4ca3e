// Runs in: ccproxy-bridge (the laptop-side daemon).
import Foundation

/// What the daemon was started with (the command line, validated).
public struct BridgeDaemonOptions: Sendable {
    /// `ws://` or `wss://` URL of the server's `/bridge` route.
    public var server: BridgeServerAddress
    /// The directory served (as given; the file system resolves it).
    public var root: String
    /// The bearer token sent in the upgrade request.
    public var token: String
    /// The environment variable it came from (kept out of `exec`'s environment).
    public var tokenEnvironmentName: String
    public var allowWrite: Bool
    public var allowExec: Bool
    public var watch: Bool
    /// Audit log path, or nil.
    public var auditPath: String?
    /// Ask on the terminal before writes, removes and exec.
    public var confirm: Bool
    /// PEM file of CA certificates trusted for `wss://` instead of the system's store.
    public var caFile: String?
    public var verbose: Bool

    public init(
        server: BridgeServerAddress, root: String, token: String, tokenEnvironmentName: String = "CCPROXY_BRIDGE_TOKEN", allowWrite: Bool = true, allowExec: Bool = false,
        watch: Bool = true, auditPath: String? = nil, confirm: Bool = false, caFile: String? = nil, verbose: Bool = false
    ) {
        self.server = server
        self.root = root
        self.token = token
        self.tokenEnvironmentName = tokenEnvironmentName
        self.allowWrite = allowWrite
        self.allowExec = allowExec
        self.watch = watch
        self.auditPath = auditPath
        self.confirm = confirm
        self.caFile = caFile
        self.verbose = verbose
    }
}

/// A parsed `ws[s]://host[:port]/path` URL.
public struct BridgeServerAddress: Sendable, Equatable, CustomStringConvertible {
    public var tls: Bool
    public var host: String
    public var port: Int
    /// Path and query sent in the upgrade request (`/bridge` when the URL has none).
    public var target: String

    /// Parses the `--server` value; nil for anything but a ws/wss URL with a host.
    public init?(_ text: String) {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
            let host = url.host, !host.isEmpty
        else { return nil }
        switch scheme {
        case "ws": tls = false
        case "wss": tls = true
        default: return nil
        }
        self.host = host
        guard let port = url.port ?? (tls ? 443 : 80) as Int?, (1...65535).contains(port) else { return nil }
        self.port = port
        var target = url.percentEncodedPath.isEmpty ? "/bridge" : url.percentEncodedPath
        if let query = url.percentEncodedQuery { target += "?" + query }
        self.target = target
    }

    /// The Host header: the port only when it is not the scheme's default.
    public var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return port == (tls ? 443 : 80) ? h : "\(h):\(port)"
    }

    public var description: String { "\(tls ? "wss" : "ws")://\(hostHeader)\(target)" }
}
