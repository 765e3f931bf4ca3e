/// The ccproxy schema, one migration per released change.
enum Schema {
    static let migrations: [Migration] = [
        Migration(
            version: 1,
            sql: """
                CREATE TABLE tokens (
                    id                TEXT    PRIMARY KEY NOT NULL,
                    name              TEXT    NOT NULL,
                    prefix            TEXT    NOT NULL UNIQUE,
                    hash              TEXT    NOT NULL,
                    scopes            TEXT    NOT NULL,
                    created_at        INTEGER NOT NULL,
                    expires_at        INTEGER,
                    last_used_at      INTEGER,
                    rate_limit_rpm    INTEGER NOT NULL DEFAULT 0,
                    rate_limit_tpd    INTEGER NOT NULL DEFAULT 0,
                    debug_capture     INTEGER NOT NULL DEFAULT 0,
                    default_verbosity TEXT,
                    principal         TEXT
                ) STRICT;
                CREATE INDEX tokens_name ON tokens(name);
                CREATE INDEX tokens_principal ON tokens(principal);
                CREATE TABLE token_usage_daily (
                    token_id TEXT    NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                    day      TEXT    NOT NULL,
                    total    INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (token_id, day)
                ) STRICT;
                """),
        // Per-token cap on turns in progress at once (0 = unlimited), enforced by the supervisor;
        // the requests-per-minute buckets as the server left them when it stopped (so that a
        // restart does not hand every token a fresh burst). Milli-requests and milliseconds.
        Migration(
            version: 2,
            sql: """
                ALTER TABLE tokens ADD COLUMN max_concurrent INTEGER NOT NULL DEFAULT 0;
                CREATE TABLE token_request_buckets (
                    token_id           TEXT    PRIMARY KEY NOT NULL REFERENCES tokens(id) ON DELETE CASCADE,
                    capacity_milli     INTEGER NOT NULL,
                    available_milli    INTEGER NOT NULL,
                    updated_unix_milli INTEGER NOT NULL
                ) STRICT;
                """),
        Migration(
            version: 3,
            sql: """
                CREATE TABLE sessions (
                    owner             TEXT    NOT NULL,
                    name              TEXT    NOT NULL,
                    claude_session_id TEXT    NOT NULL UNIQUE,
                    workspace         TEXT,
                    started           INTEGER NOT NULL DEFAULT 0,
                    created_at        INTEGER NOT NULL,
                    last_used_at      INTEGER NOT NULL,
                    PRIMARY KEY (owner, name)
                ) STRICT;
                CREATE INDEX sessions_last_used ON sessions(last_used_at);
                """),
    ]
}
