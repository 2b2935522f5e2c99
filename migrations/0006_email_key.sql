-- Emails are compared by their NFKC case-folded form (app/security/email_address.py),
-- which neither engine's lower() computes: Python fills the column for the existing
-- rows (the step below) and refuses the upgrade, naming the ids, when two rows share
-- one key. The unique index then makes the database keep them apart.

ALTER TABLE users ADD COLUMN email_key TEXT;

-- python: fill_email_keys

DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key_unique ON users (email_key);
