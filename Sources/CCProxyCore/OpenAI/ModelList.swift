/// The body of `GET /v1/models`.
public enum ModelList {
    /// `{"object":"list","data":[{"id":…,"object":"model","created":…,"owned_by":…},…]}` plus a
    /// newline, entries in the given order.
    public static func jsonBody(ids: [(id: String, ownedBy: String)], created: Int) -> [UInt8] {
        var out = "{\"object\":\"list\",\"data\":["
        for (index, entry) in ids.enumerated() {
            if index > 0 { out += "," }
            out += "{\"id\":" + JSONString.quote(entry.id) + ",\"object\":\"model\",\"created\":\(created)"
            out += ",\"owned_by\":" + JSONString.quote(entry.ownedBy) + "}"
        }
        out += "]}\n"
        return Array(out.utf8)
    }
}
