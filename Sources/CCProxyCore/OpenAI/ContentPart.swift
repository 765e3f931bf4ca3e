/// One element of an array-valued `content` in an OpenAI chat message.
///
/// Only the kinds ccproxy can give claude exist; `decode` refuses every other part type.
public enum ContentPart: Sendable, Equatable {
    /// `{"type":"text","text":…}` (or `input_text`).
    case text(String)
    /// `{"type":"image_url","image_url":{"url":…}}` (or the bare-string shorthand): a `data:` URL
    /// or a remote URL, checked by the planner.
    case imageURL(String)
}
