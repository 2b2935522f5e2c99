-- Failed logins per account (the lower-cased email, whether or not a user has it),
-- shared by every worker process: the back-off is counted here, not in memory.

-- One row per failed attempt, so "N failures within the window" is an exact count.
CREATE TABLE login_failures (
    account   TEXT NOT NULL,
    failed_at TEXT NOT NULL
);

CREATE INDEX login_failures_account_failed_at ON login_failures (account, failed_at);
CREATE INDEX login_failures_failed_at ON login_failures (failed_at);

-- The account's current back-off; `level` grows with every failure after a block.
CREATE TABLE login_blocks (
    account       TEXT    PRIMARY KEY,
    level         INTEGER NOT NULL,
    blocked_until TEXT    NOT NULL
);

CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at);
