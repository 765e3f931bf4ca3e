/// One entry of `GET /v1/models`, and the body of `GET /v1/models/{id}`:
/// `{"id","object":"model","created","owned_by"}`.
public struct ModelObject: Sendable, Equatable, Encodable {
    /// The `created` of every model the proxy lists. A model here is a name in the operator's
    /// configuration, not a release with a date, so the value is fixed (2025-01-01T00:00:00Z):
    /// the list and `GET /v1/models/{id}` agree, whichever worker answers and whenever, and
    /// clients that cache or sort the catalogue by `created` see no churn.
    public static let catalogueCreated = 1_735_689_600

    public var id: String
    public var created: Int
    public var ownedBy: String

    public init(id: String, created: Int, ownedBy: String) {
        self.id = id
        self.created = created
        self.ownedBy = ownedBy
    }

    private enum CodingKeys: String, CodingKey {
        case id, object, created
        case ownedBy = "owned_by"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("model", forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(ownedBy, forKey: .ownedBy)
    }
}

/// The body of `GET /v1/models`: `{"object":"list","data":[…]}`, entries in catalogue order.
public struct ModelList: Sendable, Equatable, Encodable {
    public var data: [ModelObject]

    public init(data: [ModelObject]) { self.data = data }

    private enum CodingKeys: String, CodingKey { case object, data }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("list", forKey: .object)
        try c.encode(data, forKey: .data)
    }
}
