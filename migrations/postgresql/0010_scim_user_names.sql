-- SCIM 2.0 provisioning (the same as migrations/sqlite/0010, less its users_id index):
-- the identity provider's name for a user, its own id for it,
-- and how it described the email.
--
-- `user_name` is kept as given (NULL until a provider sets one). `name_key` is the
-- NFKC case-folded name the user answers to: its user_name, or its email while it has
-- none; the unique index makes two users answering to one name impossible, and serves
-- `filter=userName eq "..."`. Existing rows answer to their email: its key (0006).
-- `external_id` is compared exactly and unique when present (NULLs do not collide).

ALTER TABLE users ADD COLUMN user_name TEXT;
ALTER TABLE users ADD COLUMN name_key TEXT;
ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE users ADD COLUMN email_type TEXT NOT NULL DEFAULT 'work';
ALTER TABLE users ADD COLUMN email_primary BOOLEAN NOT NULL DEFAULT TRUE;
-- Whether the resource shows `name` beside displayName (a PATCH may remove it).
ALTER TABLE users ADD COLUMN name_shown BOOLEAN NOT NULL DEFAULT TRUE;

UPDATE users SET name_key = email_key;

CREATE UNIQUE INDEX users_name_key ON users (name_key);
CREATE UNIQUE INDEX users_external_id ON users (external_id);
