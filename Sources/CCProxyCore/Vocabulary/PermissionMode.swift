/// claude's `--permission-mode` values (an alias's `permission_mode`, `default_permission_mode`).
///
/// Validated when the configuration is loaded, so a typo fails `ccproxy config check` instead
/// of every turn.
public enum PermissionMode: String, Sendable, Codable, CaseIterable {
    case acceptEdits
    case bypassPermissions
    case `default`
    case dontAsk
    case plan
    /// claude decides per action (newer claude versions).
    case auto

    /// The accepted values, for error messages.
    public static let allowedValues = allCases.map(\.rawValue)
}
