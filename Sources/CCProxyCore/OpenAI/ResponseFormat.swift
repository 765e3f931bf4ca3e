/// A request's `response_format`.
public enum ResponseFormat: Sendable, Equatable {
    /// `{"type":"text"}`: plain text, as without the field.
    case text
    /// `{"type":"json_object"}`: the answer must be one JSON object.
    case jsonObject
    /// `{"type":"json_schema","json_schema":{"name","schema","strict"?}}`: the answer must be a
    /// JSON document valid against `schema` (an object, at most `Limits.maxToolSchemaBytes`).
    case jsonSchema(name: String, schema: JSONValue)
}
