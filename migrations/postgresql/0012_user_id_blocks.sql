-- Users counted per block of 1,024 ids, kept by triggers. SCIM's offset paging
-- (startIndex) finds the block its page starts in by adding up these counts, then
-- walks fewer than 1,024 ids, instead of walking every id before the page; an
-- unfiltered totalResults is their sum (app/repositories/scim_users.py).
-- The same as migrations/sqlite/0012_user_id_blocks.sql, with statement triggers:
-- a copy inserting thousands of users a statement updates each block once.

CREATE TABLE user_id_blocks (
    block      BIGINT PRIMARY KEY,
    user_count BIGINT NOT NULL
);

INSERT INTO user_id_blocks (block, user_count)
SELECT id / 1024, count(*) FROM users GROUP BY id / 1024;

-- Plain strings, not dollar-quoted, for the migration runner's statement splitter
-- (see 0009_api_keys.sql).
CREATE FUNCTION user_id_blocks_add() RETURNS trigger LANGUAGE plpgsql AS '
BEGIN
    INSERT INTO user_id_blocks (block, user_count)
    SELECT id / 1024, count(*) FROM inserted_users GROUP BY id / 1024
    ON CONFLICT (block) DO UPDATE SET user_count = user_id_blocks.user_count + EXCLUDED.user_count;
    RETURN NULL;
END;
';

CREATE FUNCTION user_id_blocks_remove() RETURNS trigger LANGUAGE plpgsql AS '
BEGIN
    UPDATE user_id_blocks SET user_count = user_id_blocks.user_count - removed.user_count
    FROM (SELECT id / 1024 AS block, count(*) AS user_count FROM deleted_users GROUP BY id / 1024)
        AS removed
    WHERE user_id_blocks.block = removed.block;
    RETURN NULL;
END;
';

DO '
BEGIN
    CREATE TRIGGER user_id_blocks_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS inserted_users
    FOR EACH STATEMENT EXECUTE FUNCTION user_id_blocks_add();
    CREATE TRIGGER user_id_blocks_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS deleted_users
    FOR EACH STATEMENT EXECUTE FUNCTION user_id_blocks_remove();
END;
';
