-- Users, their login sessions and the refresh tokens issued for those sessions.

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT    NOT NULL,
    email          TEXT    NOT NULL,
    password_hash  TEXT    NOT NULL,
    role           TEXT    NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    -- Bumped whenever earlier sessions must stop working (password change, ...).
    token_version  INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);

CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_created_at_id ON users (created_at, id);
CREATE INDEX users_name_id ON users (name, id);
CREATE INDEX users_email_id ON users (email, id);

-- A login session: the `sid` of access tokens and the family of its refresh tokens.
CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_version INTEGER NOT NULL,
    created_at   TEXT    NOT NULL,
    revoked_at   TEXT
);

CREATE INDEX sessions_user_id ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    spent_at   TEXT
);

CREATE INDEX refresh_tokens_session_id ON refresh_tokens (session_id);
