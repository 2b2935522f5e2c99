-- API keys, and a revision counter for the user representation (its ETag).
--
-- A key is stored only as the SHA-256 of the key (keys are high-entropy, so a fast
-- hash is enough); requests find it by the unique index on that hash. `scopes` is a
-- space-separated list. A revoked key keeps its row (revoked_at set) until its user goes.

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    key_hash     TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE UNIQUE INDEX api_keys_key_hash ON api_keys (key_hash);
CREATE INDEX api_keys_user_id ON api_keys (user_id);

-- Bumped by every UPDATE of a user: `"<id>.<revision>"` is the strong ETag of its
-- representation, different after each change even within one second. The
-- repositories bump it themselves (so RETURNING shows it); the trigger catches an
-- UPDATE that does not.
ALTER TABLE users ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER users_revision AFTER UPDATE ON users
WHEN NEW.revision = OLD.revision
BEGIN
    UPDATE users SET revision = OLD.revision + 1 WHERE id = NEW.id;
END;
