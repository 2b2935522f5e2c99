-- A search sorted by name, email or creation time walks that key's index and keeps
-- the entries whose name or email holds the substring (app/repositories/user_pages.py).
-- These indexes carry the name and the email as well, so the walk can be an
-- index-only scan. They replace the (key, id) indexes of 0001, which they serve for
-- plain sorts too.

CREATE INDEX users_name_id_email ON users (name, id) INCLUDE (email);
DROP INDEX users_name_id;

CREATE INDEX users_email_id_name ON users (email, id) INCLUDE (name);
DROP INDEX users_email_id;

CREATE INDEX users_created_at_id_search ON users (created_at, id) INCLUDE (name, email);
DROP INDEX users_created_at_id;
