/// What a `watch` event says happened to a path.
public enum WatchKind: String, Codable, Sendable, Equatable {
    case created, modified, removed
}

/// `watch` event params: `path` relative to the root.
public struct WatchEvent: Codable, Sendable, Equatable {
    public var path: String
    public var kind: WatchKind

    public init(path: String, kind: WatchKind) {
        self.path = path
        self.kind = kind
    }
}

/// `bye` event params.
public struct ByeEvent: Codable, Sendable, Equatable {
    public var reason: String?

    public init(reason: String?) { self.reason = reason }
}

/// An event, typed.
public enum BridgeEvent: Sendable, Equatable {
    case watch(WatchEvent)
    case bye(ByeEvent)

    public var name: BridgeEventName {
        switch self {
        case .watch: .watch
        case .bye: .bye
        }
    }
}
