/// What the supervisor asks of the FUSE manager (`ccproxy-fuse manager`), over its
/// SOCK_SEQPACKET channel. One way: the manager answers nothing (a mount that fails closes
/// the bridge channel, which the bridge worker sees). Codes from 50.
public enum FuseManagerRequest: Sendable, Equatable {
    /// Mount a bridge's filesystem on `mountPoint` (a directory directly inside the
    /// manager's mount root) and serve it through the attached descriptor: the helper's end
    /// of the stream socket to the bridge worker. The mount lasts as long as that socket.
    case mount(mountPoint: String)

    public var code: UInt16 {
        switch self {
        case .mount: return 50
        }
    }

    /// Whether frames with this code carry a descriptor; nil for an unknown code.
    public static func carriesDescriptor(code: UInt16) -> Bool? {
        code == 50 ? true : nil
    }

    public func encode() -> [UInt8] {
        var w = WireWriter()
        switch self {
        case .mount(let mountPoint):
            w.string(mountPoint)
        }
        return Frame.encode(code: code, payload: w.bytes)
    }

    /// Decodes one frame. Never traps.
    public static func decode(_ frame: [UInt8], maxBytes: Int) throws(WireError) -> FuseManagerRequest {
        var (code, r) = try Frame.decode(frame, maxBytes: maxBytes)
        let request: FuseManagerRequest
        switch code {
        case 50: request = .mount(mountPoint: try r.string("mountPoint"))
        default: throw .unknownType(code)
        }
        try r.finish()
        return request
    }
}
