-- Substring search on name and email through trigram indexes (pg_trgm), which
-- serve `lower(name) LIKE '%...%'` and `lower(email) LIKE '%...%'` directly.
-- The extension goes to `public`, once per database, whichever schema migrates.

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE INDEX users_name_trgm ON users USING gin (lower(name) public.gin_trgm_ops);
CREATE INDEX users_email_trgm ON users USING gin (lower(email) public.gin_trgm_ops);
