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

extension TurnPlanner {
    /// The model `GET /v1/models/{id}` describes: a catalogue entry, or — when passthrough is
    /// on — any full `claude-opus|sonnet|haiku-…` id that a chat request would accept (owned by
    /// `claude-passthrough`). nil for an id a chat request would refuse with 404.
    public static func model(id: String, settings: ProxySettings) -> (id: String, ownedBy: String)? {
        if let entry = modelCatalogue(settings: settings).first(where: { $0.id == id }) { return entry }
        guard settings.allowPassthroughModels, ResolvedModel.passthrough(id, settings: settings) != nil else { return nil }
        return (id, "claude-passthrough")
    }
}
