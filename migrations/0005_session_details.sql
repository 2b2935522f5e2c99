-- What the security center shows of a session, and how it was authenticated.
-- `amr` is a JSON list of RFC 8176 method names; `authenticated_at` is when the session
-- last proved its credentials (login or POST /reauth), for "recently authenticated".

ALTER TABLE sessions ADD COLUMN ip TEXT;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN last_used_at TEXT;
ALTER TABLE sessions ADD COLUMN amr TEXT NOT NULL DEFAULT '["pwd"]';
ALTER TABLE sessions ADD COLUMN authenticated_at TEXT;
