import CCProxyCore

/// What a requested `model` resolved to: a configured alias, or a synthetic passthrough model.
struct ResolvedModel: Equatable {
    /// Echoed as `model` in responses.
    var id: String
    /// The alias, when the id named one.
    var alias: ModelAlias?
    /// The claude model the id itself implies (alias `claude_model`, or the passthrough value),
    /// not yet pinned.
    var claudeModel: String?

    /// Resolves `requested` against the settings.
    ///
    /// Order: missing → the first alias, else (passthrough on) `default`; an exact alias id;
    /// passthrough `opus|sonnet|haiku` (pinned by `model_versions` when set) and full
    /// `claude-opus-…|claude-sonnet-…|claude-haiku-…` ids.
    /// - Throws: 404 `model_not_found` for anything else.
    static func resolve(_ requested: String?, settings: ProxySettings) throws(APIError) -> ResolvedModel {
        guard let requested, !requested.isEmpty else {
            if let first = settings.models.first {
                return ResolvedModel(id: first.id, alias: first, claudeModel: first.claudeModel)
            }
            if settings.allowPassthroughModels {
                return ResolvedModel(id: "default", alias: nil, claudeModel: settings.defaultClaudeModel)
            }
            throw APIError.notFound(
                "No model was given and no default model is configured (see GET /v1/models)",
                code: "model_not_found"
            )
        }
        if let alias = settings.models.first(where: { $0.id == requested }) {
            return ResolvedModel(id: alias.id, alias: alias, claudeModel: alias.claudeModel)
        }
        if settings.allowPassthroughModels, let claudeModel = passthrough(requested, settings: settings) {
            return ResolvedModel(id: requested, alias: nil, claudeModel: claudeModel)
        }
        throw APIError.notFound(
            "The model '\(requested)' does not exist (see GET /v1/models)",
            code: "model_not_found"
        )
    }

    /// The passthrough families, in catalogue order.
    static let families = ["opus", "sonnet", "haiku"]

    /// `name` with a family name (`opus`, `sonnet`, `haiku`) replaced by its `model_versions`
    /// pin when one is set; any other value unchanged.
    static func pinned(_ name: String, settings: ProxySettings) -> String {
        guard families.contains(name), let pin = settings.modelVersions[name], !pin.isEmpty else { return name }
        return pin
    }

    /// The claude model for a passthrough id, or nil when `id` is not one.
    static func passthrough(_ id: String, settings: ProxySettings) -> String? {
        if families.contains(id) { return pinned(id, settings: settings) }
        for family in families {
            let prefix = "claude-\(family)-"
            if id.hasPrefix(prefix), id.utf8.count > prefix.utf8.count, id.utf8.count <= 128,
                id.utf8.allSatisfy(isModelIDByte)
            {
                return id
            }
        }
        return nil
    }

    /// Letters, digits, `.`, `-`, `_`, `[`, `]` (as in `claude-sonnet-4-6[1m]`).
    private static func isModelIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"),
            UInt8(ascii: "["), UInt8(ascii: "]"):
            return true
        default:
            return false
        }
    }
}
