import CCProxyCore

extension TurnPlanner {
    /// The `/v1/models` catalogue: every alias (owned by `ccproxy`), then, when passthrough is
    /// on, `opus`, `sonnet`, `haiku` (owned by `claude-passthrough`, or
    /// `claude-passthrough → <pinned id>` when pinned), skipping families an alias shadows.
    public static func modelCatalogue(settings: ProxySettings) -> [(id: String, ownedBy: String)] {
        var entries: [(id: String, ownedBy: String)] = settings.models.map { ($0.id, "ccproxy") }
        guard settings.allowPassthroughModels else { return entries }
        for family in ResolvedModel.families where !settings.models.contains(where: { $0.id == family }) {
            if let pinned = settings.modelVersions[family], !pinned.isEmpty {
                entries.append((family, "claude-passthrough → \(pinned)"))
            } else {
                entries.append((family, "claude-passthrough"))
            }
        }
        return entries
    }
}
