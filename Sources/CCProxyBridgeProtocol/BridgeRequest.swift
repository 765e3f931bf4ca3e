import Foundation

/// A request from the server, typed by its method.
public enum BridgeRequest: Sendable, Equatable {
    case hello(HelloParams)
    case stat(PathParams)
    case readdir(PathParams)
    case read(ReadParams)
    case write(WriteParams)
    case create(ModeParams)
    case mkdir(ModeParams)
    case remove(RemoveParams)
    case rename(RenameParams)
    case chmod(ModeParams)
    case exec(ExecParams)
    case truncate(TruncateParams)
    case symlink(SymlinkParams)
    case readlink(PathParams)
    case utimens(UtimensParams)
    case fsync(PathParams)

    public var method: BridgeMethod {
        switch self {
        case .hello: .hello
        case .stat: .stat
        case .readdir: .readdir
        case .read: .read
        case .write: .write
        case .create: .create
        case .mkdir: .mkdir
        case .remove: .remove
        case .rename: .rename
        case .chmod: .chmod
        case .exec: .exec
        case .truncate: .truncate
        case .symlink: .symlink
        case .readlink: .readlink
        case .utimens: .utimens
        case .fsync: .fsync
        }
    }

    /// The path the request is about, as the audit log records it: `from→to` for
    /// `rename`, the command line for `exec`, `""` for `hello`.
    public var subject: String {
        switch self {
        case .hello: ""
        case .stat(let p), .readdir(let p), .readlink(let p), .fsync(let p): p.path
        case .read(let p): p.path
        case .write(let p): p.path
        case .create(let p), .mkdir(let p), .chmod(let p): p.path
        case .remove(let p): p.path
        case .rename(let p): "\(p.from)→\(p.to)"
        case .exec(let p): ([p.cmd] + (p.args ?? [])).joined(separator: " ")
        case .truncate(let p): p.path
        case .symlink(let p): p.path
        case .utimens(let p): p.path
        }
    }

    /// Decodes the params of a `req` frame whose head said `method`.
    ///
    /// An unknown method is `unsupported` (the server may be newer); params of the wrong
    /// shape are `invalid_argument`. Neither closes the connection: the daemon answers
    /// the request with the error.
    public static func decode(method: String, frame: Data) throws(BridgeError) -> BridgeRequest {
        guard let known = BridgeMethod(rawValue: method) else {
            throw BridgeError(.unsupported, "unknown method: \(method)")
        }
        switch known {
        case .hello: return .hello(try params(frame))
        case .stat: return .stat(try params(frame))
        case .readdir: return .readdir(try params(frame))
        case .read: return .read(try params(frame))
        case .write: return .write(try params(frame))
        case .create: return .create(try params(frame))
        case .mkdir: return .mkdir(try params(frame))
        case .remove: return .remove(try params(frame))
        case .rename: return .rename(try params(frame))
        case .chmod: return .chmod(try params(frame))
        case .exec: return .exec(try params(frame))
        case .truncate: return .truncate(try params(frame))
        case .symlink: return .symlink(try params(frame))
        case .readlink: return .readlink(try params(frame))
        case .utimens: return .utimens(try params(frame))
        case .fsync: return .fsync(try params(frame))
        }
    }

    /// The frame that carries this request (what a server sends).
    public func encoded(id: UInt64) -> Data {
        switch self {
        case .hello(let p): BridgeCodec.request(id: id, method: method, params: p)
        case .stat(let p), .readdir(let p), .readlink(let p), .fsync(let p):
            BridgeCodec.request(id: id, method: method, params: p)
        case .read(let p): BridgeCodec.request(id: id, method: method, params: p)
        case .write(let p): BridgeCodec.request(id: id, method: method, params: p)
        case .create(let p), .mkdir(let p), .chmod(let p): BridgeCodec.request(id: id, method: method, params: p)
        case .remove(let p): BridgeCodec.request(id: id, method: method, params: p)
        case .rename(let p): BridgeCodec.request(id: id, method: method, params: p)
        case .exec(let p): BridgeCodec.request(id: id, method: method, params: p)
        case .truncate(let p): BridgeCodec.request(id: id, method: method, params: p)
        case .symlink(let p): BridgeCodec.request(id: id, method: method, params: p)
        case .utimens(let p): BridgeCodec.request(id: id, method: method, params: p)
        }
    }

    private static func params<P: Decodable>(_ frame: Data) throws(BridgeError) -> P {
        do {
            if let p = try JSONDecoder().decode(ParamsCarrier<P>.self, from: frame).params { return p }
            return try JSONDecoder().decode(P.self, from: BridgeCodec.emptyObject)
        } catch {
            throw BridgeError(.invalidArgument, "bad params: \(BridgeCodec.describe(error))")
        }
    }
}

private struct ParamsCarrier<P: Decodable>: Decodable {
    var params: P?
}
