-- Failed logins per account (the lower-cased email, whether or not a user has it),
-- shared by every worker process: the back-off is counted here, not in memory.

CREATE TABLE login_failures (
    account        TEXT    PRIMARY KEY,
    failures       INTEGER NOT NULL,
    last_failed_at TEXT    NOT NULL,
    blocked_until  TEXT
);

CREATE INDEX login_failures_last_failed_at ON login_failures (last_failed_at);
CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
