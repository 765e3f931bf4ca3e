/// One element of an array-valued `content` in an OpenAI chat message.
///
/// Only the kinds ccproxy acts on are distinguished; everything else keeps its `type` so that
/// callers can report or skip it.
public enum ContentPart: Sendable, Equatable {
    /// `{"type":"text","text":…}`.
    case text(String)
    /// `{"type":"image_url","image_url":{"url":…}}` (or the bare-string shorthand): a `data:` URL
    /// or a remote URL, unvalidated.
    case imageURL(String)
    /// Any other part type (`input_audio`, `file`, …), kept by name only.
    case other(type: String)
}
