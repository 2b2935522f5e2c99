-- Counts email changes, so a verification token names the address *and* which
-- change of it it was sent for: it cannot verify the address again after the
-- email changed away and back.

ALTER TABLE users ADD COLUMN email_version INTEGER NOT NULL DEFAULT 0;
