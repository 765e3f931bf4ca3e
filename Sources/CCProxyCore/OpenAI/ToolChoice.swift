/// A request's `tool_choice`: whether claude may, must or must not call the client's functions.
public enum ToolChoice: Sendable, Equatable {
    /// `"auto"` (the default when `tools` is given): claude decides.
    case auto
    /// `"none"`: the functions are not offered to claude at all.
    case none
    /// `"required"`: claude is told it must call one of the functions.
    case required
    /// `{"type":"function","function":{"name":…}}`: claude is told it must call this one; the
    /// name is one of the request's `tools`.
    case function(String)

    /// Whether the turn is expected to end with a call (`required` or a named function).
    public var demandsCall: Bool {
        switch self {
        case .required, .function: true
        case .auto, .none: false
        }
    }
}
