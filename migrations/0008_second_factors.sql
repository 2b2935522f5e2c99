-- Second factors: TOTP authenticators, recovery codes, passkeys, and the short-lived
-- state of MFA logins and WebAuthn ceremonies. Everything a ceremony needs lives here,
-- so it may start on one worker (or instance) and finish on another.

-- A user's TOTP authenticator: pending while confirmed_at is NULL. The secret is
-- encrypted (Fernet, key derived from SECRET_KEY).
CREATE TABLE totp_authenticators (
    user_id          BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret_encrypted TEXT   NOT NULL,
    created_at       TEXT   NOT NULL,
    confirmed_at     TEXT
);

-- The 30-second steps a user's authenticator had a code accepted for: never again
-- (replay). The primary key makes one of two racing uses of a code the only winner.
CREATE TABLE totp_used_steps (
    user_id BIGINT NOT NULL REFERENCES totp_authenticators (user_id) ON DELETE CASCADE,
    step    BIGINT NOT NULL,
    PRIMARY KEY (user_id, step)
);

-- Single-use recovery codes, stored only as SHA-256 hashes.
CREATE TABLE recovery_codes (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT   NOT NULL,
    created_at TEXT   NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (user_id, code_hash)
);

-- Passkeys (WebAuthn credentials); credential_id is base64url and the API's passkey id.
CREATE TABLE passkeys (
    credential_id TEXT   PRIMARY KEY,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    public_key    TEXT   NOT NULL,
    sign_count    BIGINT NOT NULL,
    name          TEXT   NOT NULL,
    transports    TEXT   NOT NULL DEFAULT '[]',
    created_at    TEXT   NOT NULL,
    last_used_at  TEXT
);

CREATE INDEX passkeys_user_id ON passkeys (user_id);

-- The proof of a right password that waits for its second factor (POST /login/mfa).
-- Stored as a hash; single use; dies after 5 wrong codes or when the password changes.
CREATE TABLE mfa_tokens (
    token_hash   TEXT    PRIMARY KEY,
    user_id      BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_version INTEGER NOT NULL,
    expires_at   TEXT    NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    spent_at     TEXT
);

CREATE INDEX mfa_tokens_expires_at ON mfa_tokens (expires_at);

-- WebAuthn challenges, as SHA-256 hashes: single use, 300 seconds. `purpose` is
-- register, login (discoverable), mfa (of an mfa_token) or reauth (of a session).
CREATE TABLE webauthn_challenges (
    challenge_hash TEXT   PRIMARY KEY,
    purpose        TEXT   NOT NULL,
    user_id        BIGINT REFERENCES users (id) ON DELETE CASCADE,
    session_id     TEXT,
    expires_at     TEXT   NOT NULL
);

CREATE INDEX webauthn_challenges_expires_at ON webauthn_challenges (expires_at);
