-- Substring search on name and email through trigram indexes (pg_trgm), which
-- serve `lower(name) LIKE '%...%'` and `lower(email) LIKE '%...%'` directly.
-- The extension is installed once per database, in `public` unless it is there
-- already (in a schema of the search_path, as managed servers often have it).

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

CREATE INDEX users_name_trgm ON users USING gin (lower(name) gin_trgm_ops);
CREATE INDEX users_email_trgm ON users USING gin (lower(email) gin_trgm_ops);
