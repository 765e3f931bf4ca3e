/// The keys the configuration accepts. (Closed sets of values are the Core enums: `Verbosity`,
/// `Effort`, `PermissionMode`, `SystemPromptMode`.)
enum ConfigurationSchema {
    /// Top-level keys, in the order they are documented and validated.
    static let topLevelKeys = [
        "listen", "metrics_listen", "state_dir", "claude_binary", "default_verbosity",
        "default_effort", "default_claude_model", "default_permission_mode",
        "allow_passthrough_models", "model_versions", "session_ttl", "request_timeout", "tool_result_timeout",
        "workspaces", "models", "workers", "cors_origins", "stream_keepalive", "remote_images", "remote_images_allow_private", "captures_max_bytes",
        "user", "isolation", "claude_environment",
    ]
    /// Keys of one `workspaces` entry.
    static let workspaceKeys = ["path", "description"]
    /// Keys of one `models` entry.
    static let modelKeys = [
        "id", "workspace", "system_prompt", "system_prompt_mode", "effort", "claude_model", "permission_mode",
    ]
    /// Keys of `workers`.
    static let workerKeys = [
        "min_idle", "max_idle", "max", "max_requests", "queue_length", "queue_timeout", "spawn_backoff",
        "spawn_backoff_max", "keepalive_timeout", "max_keepalive", "max_waiting_per_source",
    ]

    static let modelFamilies = ["opus", "sonnet", "haiku"]

    /// The longest duration accepted (one year), in seconds.
    static let maximumDurationSeconds: Double = 365 * 24 * 3600
}
